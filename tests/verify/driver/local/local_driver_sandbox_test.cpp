// What a hostile image can try from inside kiln-probe's container, each against the real runc:
// gaining a user namespace with every capability and mounting, a fork bomb, eating memory, and
// running as the host's root. A test skips only where this machine's kernel lacks the feature
// (sandbox_support()), saying which.
#include <gtest/gtest.h>

#include <chrono>

#include "tests/support/captured_warnings.h"
#include "tests/verify/driver/local/local_driver_fixture.h"
#include "verify/check/judges.h"
#include "verify/driver/local/local_driver.h"
#include "verify/driver/local/sandbox_support.h"

namespace kiln::verify {
namespace {

using namespace kiln::verify::testing;
using inspect::FactRequest;

const SandboxSupport& here() { return sandbox_support(); }

LocalDriverOptions options_with(const SandboxSupport& support) {
  LocalDriverOptions options;
  options.support = support;
  return options;
}

// A command that unshares a user namespace gets every capability in it and can mount: the
// kernel surface Docker's profile keeps containers away from. Refused under seccomp; the same
// command without it shows the attack works on this kernel.
TEST_F(LocalDriverTest, SeccompRefusesANewUserNamespaceWithAllCapabilities) {
  if (!here().seccomp) GTEST_SKIP() << "this kernel has no seccomp";
  const FactRequest request{
      .paths = {},
      .commands = {command("escape", {"unshare", "-U", "-r", "-m", "sh", "-c", "mount -t tmpfs t /tmp && echo mounted"}),
                   command("status", {"cat", "/proc/self/status"})}};
  const inspect::Facts facts = LocalDriver(KILN_PROBE_BINARY).collect(image("app"), request);
  ASSERT_TRUE(facts.commands[0].ran) << facts.commands[0].error;
  EXPECT_NE(facts.commands[0].exit_code, 0);
  EXPECT_EQ(facts.commands[0].stdout_text, "");
  EXPECT_NE(facts.commands[0].stderr_text.find("Operation not permitted"), std::string::npos)
      << facts.commands[0].stderr_text;
  EXPECT_NE(facts.commands[1].stdout_text.find("Seccomp:\t2"), std::string::npos) << "filter mode";

  SandboxSupport without = here();
  without.seccomp = false;
  const inspect::Facts open = LocalDriver(KILN_PROBE_BINARY, options_with(without)).collect(image("app"), request);
  if (open.commands[0].exit_code != 0)
    GTEST_SKIP() << "this kernel refuses the attack even without seccomp: " << open.commands[0].stderr_text;
  EXPECT_EQ(open.commands[0].stdout_text, "mounted\n");
  EXPECT_NE(open.commands[1].stdout_text.find("Seccomp:\t0"), std::string::npos);
}

// A hundred background processes under a limit of 32: the container never holds more, and a
// classic fork bomb ends by itself instead of taking the machine; the next command runs.
TEST_F(LocalDriverTest, ThePidsLimitBoundsProcessesAndEndsAForkBomb) {
  if (!here().pids) GTEST_SKIP() << "no pids cgroup controller on this machine";
  LocalDriverOptions options;
  options.probe.pids = 32;
  const FactRequest request{
      .paths = {},
      // A shell that cannot fork gives up, so the spawning runs in a subshell and the count after it.
      .commands = {command("many", {"sh", "-c",
                                    "(i=0; while [ $i -lt 100 ]; do sleep 20 & i=$((i+1)); done) 2>/dev/null; "
                                    "n=0; for p in /proc/[0-9]*; do n=$((n+1)); done; echo $n"}),
                   command("bomb", {"sh", "-c", "f() { f | f & }; f; sleep 5"}, 60), command("after", {"echo", "alive"})}};
  const auto started = std::chrono::steady_clock::now();
  const inspect::Facts facts = LocalDriver(KILN_PROBE_BINARY, options).collect(image("app"), request);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  ASSERT_EQ(facts.commands.size(), 3u);
  ASSERT_EQ(facts.commands[0].exit_code, 0) << facts.commands[0].error << facts.commands[0].stderr_text;
  const int processes = std::atoi(facts.commands[0].stdout_text.c_str());
  EXPECT_LE(processes, 32) << "the limit was not applied";
  EXPECT_GE(processes, 20) << "the command did not reach the limit";
  EXPECT_TRUE(facts.commands[1].ran) << facts.commands[1].error;
  EXPECT_FALSE(facts.commands[1].timed_out) << "the bomb did not end by itself";
  EXPECT_EQ(facts.commands[2].exit_code, 0) << facts.commands[2].error;
  EXPECT_EQ(facts.commands[2].stdout_text, "alive\n");
  RecordProperty("processes_at_the_limit", processes);
  RecordProperty("fork_bomb_seconds", std::to_string(facts.commands[1].seconds));
  EXPECT_LT(seconds, 60);
}

// A command that takes 256 MiB under a 64 MiB limit is killed by the kernel and reported as out
// of memory; one within the limit is not, and the probe lives on to answer.
TEST_F(LocalDriverTest, AMemoryHogIsKilledAtTheLimitAndReported) {
  if (!here().memory) GTEST_SKIP() << "no memory cgroup controller on this machine";
  LocalDriverOptions options;
  options.probe.memory_bytes = 64ull << 20;
  const FactRequest request{
      .paths = {},
      .commands = {command("hog", {"dd", "if=/dev/zero", "of=/dev/null", "bs=256M", "count=1"}),
                   command("modest", {"dd", "if=/dev/zero", "of=/dev/null", "bs=8M", "count=1"})}};
  const inspect::Facts facts = LocalDriver(KILN_PROBE_BINARY, options).collect(image("app"), request);
  ASSERT_EQ(facts.commands.size(), 2u);
  EXPECT_EQ(facts.commands[0].exit_code, -9);
  EXPECT_TRUE(facts.commands[0].out_of_memory);
  EXPECT_EQ(facts.commands[1].exit_code, 0) << facts.commands[1].stderr_text;
  EXPECT_FALSE(facts.commands[1].out_of_memory);

  const TestResult judged = judge_command({.name = "hog", .command = "dd"}, request.commands[0], &facts.commands[0]);
  EXPECT_EQ(judged.status, Status::failed);
  EXPECT_EQ(judged.message, "exitCode: expected 0, found killed by signal 9 (out of memory: the kernel killed a process "
                            "of the command at the container's memory limit)");
}

// The image's user runs as itself inside a user namespace: the same ids as the image says, and
// host ids far from root. Root in the image is not root on the host.
TEST_F(LocalDriverTest, TheImagesUserRunsInAUserNamespace) {
  if (!here().no_user_namespace.empty()) GTEST_SKIP() << "no user namespace here: " << here().no_user_namespace;
  const FactRequest request{.paths = {{.path = "/home/app", .contents = false, .sha256 = false, .elf = false}},
                            .commands = {command("uid", {"id", "-u"}), command("map", {"cat", "/proc/self/uid_map"}),
                                         command("owner", {"stat", "-c", "%u:%g", "/home/app"})}};
  LocalDriver driver(KILN_PROBE_BINARY);
  const inspect::Facts app = driver.collect(image("app"), request);
  EXPECT_EQ(app.commands[0].stdout_text, "1000\n");
  EXPECT_EQ(app.commands[1].stdout_text, "         0 1073741824 1073741824\n");
  EXPECT_EQ(app.commands[2].stdout_text, "1000:1000\n");
  ASSERT_TRUE(app.paths[0].exists);
  EXPECT_EQ(app.paths[0].stat.uid, 1000u) << "the probe sees the image's owner";

  const inspect::Facts root = driver.collect(image(""), request);
  EXPECT_EQ(root.commands[0].stdout_text, "0\n");
  EXPECT_EQ(root.commands[1].stdout_text, "         0 1073741824 1073741824\n") << "uid 0 is host uid 2^30";
}

// Where the kernel gives no user namespace the probe still runs, with host ids, and the log
// says exactly what is missing.
TEST_F(LocalDriverTest, WithoutAUserNamespaceItRunsWithHostIdsAndSaysWhy) {
  SandboxSupport without = here();
  without.no_user_namespace = "the kernel refused one: unshare(CLONE_NEWUSER) failed with Operation not permitted";
  kiln::testing::CapturedWarnings warnings;
  const inspect::Facts facts =
      LocalDriver(KILN_PROBE_BINARY, options_with(without))
          .collect(image("app"), {.paths = {}, .commands = {command("uid", {"id", "-u"}), command("map", {"cat", "/proc/self/uid_map"})}});
  EXPECT_EQ(facts.commands[0].stdout_text, "1000\n");
  EXPECT_EQ(facts.commands[1].stdout_text, "         0          0 4294967295\n");
  EXPECT_NE(warnings.text().find("kiln-probe runs without a user namespace (the kernel refused one: "
                                 "unshare(CLONE_NEWUSER) failed with Operation not permitted): the image's uid 1000 "
                                 "and gid 1000 are the same ids on this host"),
            std::string::npos)
      << warnings.text();
}

}  // namespace
}  // namespace kiln::verify
