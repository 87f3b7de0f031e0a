// kiln-plugin told to stop while the Kaniko executor runs: SIGTERM (a CI runner's stop,
// kiln-server's cancel), SIGINT (a terminal), and SIGKILL, which nothing can catch. The
// executor is a STAND-IN KANIKO EXECUTOR (a shell script written by the test) that records its
// pid and the pid of a child of its own, as the real one runs RUN commands, then waits; the
// last test stops the real Kaniko executor in the middle of a RUN. kiln-plugin gets a TMPDIR of
// the test's own, so what it leaves there is all its own.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "core/process.h"
#include "core/temp_dir.h"
#include "oci/credentials/credential.h"
#include "oci/registry/client.h"
#include "tests/support/busybox_image.h"
#include "tests/support/files.h"
#include "tests/support/local_registry.h"
#include "tests/support/peers.h"
#include "tests/support/processes.h"

namespace kiln::testing {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr const char* kSecret = "stop-s3cret-5be1c0";

// Waits (bounded) until `pid` is gone; false if it is still there.
bool gone_within(int pid, std::chrono::milliseconds limit) {
  const auto deadline = Clock::now() + limit;
  while (process_alive(pid) && Clock::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  return !process_alive(pid);
}

int pid_in(const fs::path& file) {
  const std::string text = read_file(file);
  return text.empty() ? 0 : std::stoi(text);
}

// Every file under `dir` whose content holds `needle`, for messages.
std::vector<std::string> files_holding(const fs::path& dir, const std::string& needle) {
  std::vector<std::string> found;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec))
    if (it->is_regular_file() && read_file(it->path()).find(needle) != std::string::npos) found.push_back(it->path());
  return found;
}

std::vector<std::string> entries_of(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) names.push_back(entry.path().filename().string());
  return names;
}

class StopSignals : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const fs::path& dir : {context(), record(), tmp(), work_.path() / "docker"}) fs::create_directories(dir);
    std::ofstream(context() / "Dockerfile") << "FROM alpine:3.19\nRUN sleep 60\n";
  }
  void TearDown() override {
    // Whatever a failed expectation left running goes now (the executor leads its group).
    for (const char* name : {"pid", "child_pid"})
      if (const int pid = pid_in(record() / name); pid > 0 && process_alive(pid)) ::kill(pid, SIGKILL);
    if (const int pid = pid_in(record() / "pid"); pid > 0) ::kill(-pid, SIGKILL);
  }

  fs::path context() const { return work_.path() / "context"; }
  fs::path record() const { return work_.path() / "record"; }
  fs::path tmp() const { return work_.path() / "tmp"; }
  fs::path executor() const { return work_.path() / "executor"; }

  /// The stand-in: records its pid, starts a child (as Kaniko runs a RUN command), says so on
  /// stdout and waits for it. `prologue` runs first (e.g. a trap).
  void write_executor(const std::string& prologue = "") {
    std::ofstream(executor()) << "#!/bin/sh\n"
                              << prologue << "\n"
                              << "echo $$ > \"$STANDIN_RECORD/pid\"\n"
                                 "sleep 60 &\n"
                                 "echo $! > \"$STANDIN_RECORD/child_pid\"\n"
                                 "echo 'INFO[0001] RUN sleep 60'\n"
                                 "wait\n";
    fs::permissions(executor(), fs::perms(0755));
  }

  ProcessOptions plugin_options() const {
    ProcessOptions options;
    options.extra_env = {{"PLUGIN_REPO", "registry.example.test/team/app"},
                         {"PLUGIN_CONTEXT", context().string()},
                         {"PLUGIN_DOCKERFILE", (context() / "Dockerfile").string()},
                         {"PLUGIN_EXECUTOR", executor().string()},
                         {"PLUGIN_BACKEND", "kaniko"},
                         {"PLUGIN_LAYER_CACHE_DIR", "none"},
                         {"PLUGIN_USERNAME", "ci"},
                         {"PLUGIN_PASSWORD", kSecret},
                         {"DOCKER_CONFIG", (work_.path() / "docker").string()},
                         {"TMPDIR", tmp().string()},
                         {"STANDIN_RECORD", record().string()}};
    return options;
  }

  /// Starts kiln-plugin and waits until the stand-in runs with its child.
  std::unique_ptr<ChildProcess> start_plugin() {
    auto plugin = std::make_unique<ChildProcess>(std::vector<std::string>{KILN_PLUGIN_BINARY}, plugin_options());
    EXPECT_TRUE(plugin->wait_for_output("RUN sleep 60", std::chrono::seconds(60))) << plugin->output();
    return plugin;
  }

  /// Waits (bounded) for kiln-plugin to exit by itself, then returns its exit code.
  static int exit_code_of(ChildProcess& plugin) {
    EXPECT_TRUE(gone_within(plugin.pid(), std::chrono::seconds(20))) << "kiln-plugin did not exit";
    return plugin.stop();
  }

  TempDir work_{"kiln-stop-test"};
};

// SIGTERM: the executor and its child are stopped, the credentials removed, exit 143. Before,
// kiln-plugin died at once: config.json stayed in TMPDIR and the executor ran on with PPID 1.
TEST_F(StopSignals, SigtermStopsTheExecutorAndRemovesTheCredentials) {
  write_executor();
  auto plugin = start_plugin();
  const int executor_pid = pid_in(record() / "pid"), child_pid = pid_in(record() / "child_pid");
  ASSERT_GT(executor_pid, 0);
  ASSERT_GT(child_pid, 0);
  ASSERT_FALSE(files_holding(tmp(), "auths").empty()) << "the credentials kiln-plugin wrote are in its TMPDIR";

  ::kill(plugin->pid(), SIGTERM);
  EXPECT_EQ(exit_code_of(*plugin), 143) << plugin->output();
  EXPECT_FALSE(process_alive(executor_pid)) << "the executor outlived kiln-plugin";
  EXPECT_TRUE(gone_within(child_pid, std::chrono::seconds(2))) << "the executor's child outlived kiln-plugin";
  EXPECT_EQ(entries_of(tmp()), std::vector<std::string>{}) << "kiln-plugin left temporary files";
  EXPECT_EQ(files_holding(work_.path(), kSecret), std::vector<std::string>{});
  EXPECT_NE(plugin->output().find(fmt::format("SIGTERM received: stopping executor (pid {})", executor_pid)),
            std::string::npos)
      << plugin->output();
}

// An executor that ignores SIGTERM is killed after the grace period; the rest is the same.
TEST_F(StopSignals, AnExecutorIgnoringSigtermIsKilled) {
  write_executor("trap '' TERM");
  auto plugin = start_plugin();
  const int executor_pid = pid_in(record() / "pid"), child_pid = pid_in(record() / "child_pid");
  const auto signalled = Clock::now();
  ::kill(plugin->pid(), SIGTERM);
  EXPECT_EQ(exit_code_of(*plugin), 143) << plugin->output();
  EXPECT_GE(Clock::now() - signalled, kChildStopGrace) << "SIGKILL came before the grace period ended";
  EXPECT_FALSE(process_alive(executor_pid));
  EXPECT_TRUE(gone_within(child_pid, std::chrono::seconds(2)));
  EXPECT_EQ(entries_of(tmp()), std::vector<std::string>{});
}

// SIGINT (Ctrl-C) likewise, with its own conventional status.
TEST_F(StopSignals, SigintExits130) {
  write_executor();
  auto plugin = start_plugin();
  const int executor_pid = pid_in(record() / "pid");
  ::kill(plugin->pid(), SIGINT);
  EXPECT_EQ(exit_code_of(*plugin), 130) << plugin->output();
  EXPECT_FALSE(process_alive(executor_pid));
  EXPECT_EQ(entries_of(tmp()), std::vector<std::string>{});
}

// SIGKILL cannot be caught: the credentials stay, but the executor dies with kiln-plugin
// (PR_SET_PDEATHSIG), and the next run removes what was left, not what a live process owns.
TEST_F(StopSignals, AfterSigkillTheNextRunRemovesTheLeftovers) {
  write_executor();
  auto plugin = start_plugin();
  const int executor_pid = pid_in(record() / "pid");
  ::kill(plugin->pid(), SIGKILL);
  EXPECT_EQ(exit_code_of(*plugin), 137);
  EXPECT_TRUE(gone_within(executor_pid, std::chrono::seconds(5))) << "the executor outlived a SIGKILLed kiln-plugin";
  const std::vector<std::string> left = entries_of(tmp());
  ASSERT_EQ(left.size(), 1u) << "SIGKILL leaves the credentials' directory";
  EXPECT_TRUE(left[0].starts_with("kiln-docker-config.pid" + std::to_string(plugin->pid()) + "-")) << left[0];
  EXPECT_FALSE(files_holding(tmp(), "auths").empty());
  // A directory of a live process (this test's) with the same naming stays.
  const TempDir live("kiln-live");
  fs::create_directory(tmp() / live.path().filename());

  // The next run, whatever it does (here: a usage error before any build), sweeps first.
  ProcessOptions next = plugin_options();
  next.extra_env["PLUGIN_DOCKERFILE"] = (context() / "missing").string();
  const ProcessResult r = run_process({KILN_PLUGIN_BINARY}, next);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("left behind by a kiln process that was killed"), std::string::npos) << r.err;
  EXPECT_EQ(entries_of(tmp()), std::vector<std::string>{live.path().filename().string()});
  EXPECT_EQ(files_holding(tmp(), kSecret), std::vector<std::string>{});
}

// The same SIGTERM with the REAL Kaniko executor (v1.19.0, run by the peers' kaniko-chroot-exec
// in a throwaway root and PID namespace), stopped in the middle of a RUN that sleeps: kiln-plugin
// exits 143, no process it started is left (the wrapper, unshare, the executor, the RUN's shell
// and sleep), and no file under its TMPDIR holds the password.
TEST(StopSignalsRealKaniko, SigtermStopsTheRealExecutorMidRun) {
  const fs::path peers = kiln::testing::peers_dir();
  if (!kiln::testing::have_real_kaniko())
    GTEST_SKIP() << "no Kaniko executor in " << peers << " (set KILN_PEERS_DIR)";
  if (run_process({"unshare", "-m", "-p", "--fork", "true"}).exit_code != 0)
    GTEST_SKIP() << "kaniko-chroot-exec needs root and unshare";

  LocalRegistry registry;
  oci::RegistryClient client(registry.host(), std::make_shared<oci::AnonymousKeychain>(),
                             oci::RegistryOptions{.insecure = true});
  push_busybox_base(client, {.repository = "base/busybox", .tag = "1"});
  TempDir work("kiln-stop-real-kaniko");
  const fs::path context = work.path() / "context", tmp = work.path() / "tmp";
  fs::create_directories(context);
  fs::create_directories(tmp);
  // A copy of the wrapper: kiln-plugin keeps the executor's digest file next to the executor,
  // which is then this test's directory and not the shared one.
  fs::copy_file(peers / "kaniko-chroot-exec", work.path() / "kaniko-chroot-exec");
  std::ofstream(context / "Dockerfile") << "FROM " << registry.host() << "/base/busybox:1\n"
                                        << "RUN echo kiln-run-$((6 * 7)) && sleep 120\n";
  ProcessOptions options;
  options.extra_env = {{"PLUGIN_REPO", registry.host() + "/team/app"},
                       {"PLUGIN_CONTEXT", context.string()},
                       {"PLUGIN_DOCKERFILE", (context / "Dockerfile").string()},
                       {"PLUGIN_BACKEND", "kaniko"},
                       {"PLUGIN_INSECURE", "true"},
                       {"PLUGIN_LAYER_CACHE_DIR", "none"},
                       {"PLUGIN_USERNAME", "ci"},
                       {"PLUGIN_PASSWORD", kSecret},
                       {"PLUGIN_EXECUTOR", (work.path() / "kaniko-chroot-exec").string()},
                       {"KANIKO_REAL_EXECUTOR", (peers / "kaniko-executor").string()},
                       {"TMPDIR", tmp.string()}};
  ChildProcess plugin({KILN_PLUGIN_BINARY}, options);
  ASSERT_TRUE(plugin.wait_for_output("kiln-run-42", std::chrono::seconds(180))) << plugin.output();
  const std::vector<int> started = process_descendants(plugin.pid());
  ASSERT_FALSE(started.empty());
  ASSERT_FALSE(files_holding(tmp, "auths").empty()) << "the credentials are in kiln-plugin's TMPDIR";

  std::string running;
  for (const int pid : started) running += "\n  " + process_cmdline(pid);
  EXPECT_NE(running.find("sleep 120"), std::string::npos) << "the RUN is not running:" << running;

  ::kill(plugin.pid(), SIGTERM);
  EXPECT_TRUE(gone_within(plugin.pid(), std::chrono::seconds(20))) << "kiln-plugin did not exit";
  EXPECT_EQ(plugin.stop(), 143) << plugin.output();
  for (const int pid : started)
    EXPECT_TRUE(gone_within(pid, std::chrono::seconds(2))) << process_cmdline(pid) << " outlived kiln-plugin";
  EXPECT_EQ(files_holding(tmp, kSecret), std::vector<std::string>{});
  for (const std::string& name : entries_of(tmp))
    EXPECT_FALSE(name.starts_with("kiln")) << name << ": kiln-plugin left it";
}

}  // namespace
}  // namespace kiln::testing
