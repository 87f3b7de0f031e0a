#include "inspect/process_runner.h"

#include <signal.h>

#include <chrono>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>

#include "core/temp_dir.h"

namespace kiln::inspect {
namespace {

using Env = std::vector<std::pair<std::string, std::string>>;
const Env kPath = {{"PATH", "/usr/bin:/bin"}};

CommandFacts run(std::vector<std::string> argv, double timeout = 20, std::uint64_t max_output = 1 << 20,
                 Env env = kPath, std::string workdir = "") {
  ProcessRunner runner;
  return runner.run({.id = "t", .argv = std::move(argv), .env = std::move(env), .workdir = std::move(workdir),
                     .timeout_seconds = timeout},
                    max_output);
}

// Alive and not a zombie: a killed grandchild may linger unreaped when this test runs as pid 1's child.
bool process_running(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string pid_field, name, state;
  if (!(stat >> pid_field >> name >> state)) return false;
  return state != "Z" && state != "X";
}

TEST(ProcessRunner, ExitCodeAndBothStreams) {
  const auto facts = run({"sh", "-c", "printf out; printf err >&2; exit 3"});
  EXPECT_TRUE(facts.ran) << facts.error;
  EXPECT_EQ(facts.exit_code, 3);
  EXPECT_EQ(facts.stdout_text, "out");
  EXPECT_EQ(facts.stderr_text, "err");
  EXPECT_FALSE(facts.timed_out);
  EXPECT_FALSE(facts.output_truncated);
  EXPECT_GT(facts.seconds, 0);
  EXPECT_EQ(facts.error, "");
}

TEST(ProcessRunner, ASignalIsANegativeExitCode) {
  EXPECT_EQ(run({"sh", "-c", "kill -TERM $$"}).exit_code, -SIGTERM);
}

TEST(ProcessRunner, TimeoutKillsTheWholeProcessGroup) {
  TempDir dir("kiln-runner");
  const std::string pid_file = (dir.path() / "pid").string();
  const auto started = std::chrono::steady_clock::now();
  const auto facts = run({"sh", "-c", "sleep 100 & echo $! > " + pid_file + "; wait"}, 0.5);
  const auto elapsed = std::chrono::steady_clock::now() - started;
  EXPECT_TRUE(facts.ran);
  EXPECT_TRUE(facts.timed_out);
  EXPECT_EQ(facts.exit_code, -SIGKILL);
  EXPECT_LT(elapsed, std::chrono::seconds(5));
  EXPECT_GE(facts.seconds, 0.5);
  pid_t grandchild = 0;
  std::ifstream(pid_file) >> grandchild;
  ASSERT_GT(grandchild, 0);
  // SIGKILL is delivered at once, but give the kernel a moment to tear the process down.
  for (int i = 0; i < 100 && process_running(grandchild); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_FALSE(process_running(grandchild));
}

TEST(ProcessRunner, ABackgroundChildHoldingThePipesDoesNotHoldTheRunner) {
  const auto started = std::chrono::steady_clock::now();
  const auto facts = run({"sh", "-c", "echo started; sleep 100 &"}, 60);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
  EXPECT_TRUE(facts.ran);
  EXPECT_FALSE(facts.timed_out);
  EXPECT_EQ(facts.exit_code, 0);
  EXPECT_EQ(facts.stdout_text, "started\n");
}

TEST(ProcessRunner, OutputIsCutAtTheLimitWhileTheChildKeepsWriting) {
  const auto facts = run({"sh", "-c", "head -c 1000000 /dev/zero; echo done >&2"}, 20, 1000);
  EXPECT_EQ(facts.exit_code, 0);  // not killed by SIGPIPE: the rest was drained
  EXPECT_EQ(facts.stdout_text, std::string(1000, '\0'));
  EXPECT_EQ(facts.stderr_text, "done\n");
  EXPECT_TRUE(facts.output_truncated);
}

TEST(ProcessRunner, AnEndlessWriterStillTimesOut) {
  const auto started = std::chrono::steady_clock::now();
  const auto facts = run({"yes"}, 0.5, 4096);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
  EXPECT_TRUE(facts.timed_out);
  EXPECT_TRUE(facts.output_truncated);
  EXPECT_EQ(facts.stdout_text.size(), 4096u);
}

TEST(ProcessRunner, LooksUpArgv0InTheCommandsPath) {
  const auto found = run({"echo", "hi"}, 20, 1 << 20, {{"PATH", "/nonexistent:/usr/bin:/bin"}});
  EXPECT_EQ(found.stdout_text, "hi\n");
  const auto missing = run({"echo", "hi"}, 20, 1 << 20, {{"PATH", "/nonexistent"}});
  EXPECT_FALSE(missing.ran);
  EXPECT_EQ(missing.error, "\"echo\" not found in PATH /nonexistent");
}

TEST(ProcessRunner, TheEnvironmentIsExactlyTheCommands) {
  const auto facts = run({"env"}, 20, 1 << 20, {{"A", "1"}, {"PATH", "/usr/bin:/bin"}});
  EXPECT_EQ(facts.stdout_text, "A=1\nPATH=/usr/bin:/bin\n");
}

TEST(ProcessRunner, WorkdirAndEmptyStdin) {
  EXPECT_EQ(run({"pwd"}, 20, 1 << 20, kPath, "/usr/lib").stdout_text, "/usr/lib\n");
  const auto cat = run({"cat"}, 5);
  EXPECT_FALSE(cat.timed_out);  // stdin is at EOF, not the test's terminal
  EXPECT_EQ(cat.exit_code, 0);
}

TEST(ProcessRunner, WhatCannotStartIsNotRun) {
  const auto missing = run({"/nonexistent/app"});
  EXPECT_FALSE(missing.ran);
  EXPECT_EQ(missing.error, "cannot execute /nonexistent/app: No such file or directory");
  const auto not_executable = run({"/etc/passwd"});
  EXPECT_FALSE(not_executable.ran);
  EXPECT_EQ(not_executable.error, "cannot execute /etc/passwd: Permission denied");
  const auto bad_dir = run({"pwd"}, 20, 1 << 20, kPath, "/nonexistent");
  EXPECT_FALSE(bad_dir.ran);
  EXPECT_EQ(bad_dir.error, "cannot change to working directory /nonexistent: No such file or directory");
}

// The counter is the cgroup's (oom_kills.h); here a file stands in for it, moved by the command
// itself as the kernel moves the real one when it kills a process of the command.
TEST(ProcessRunner, ACommandDuringWhichTheOomCounterMovedRanOutOfMemory) {
  for (const char* layout : {"memory.events", "memory/memory.oom_control"}) {
    SCOPED_TRACE(layout);
    TempDir cgroup("kiln-fake-cgroup");
    const std::string counter = (cgroup.path() / layout).string();
    std::filesystem::create_directories(std::filesystem::path(counter).parent_path());
    std::ofstream(counter) << "oom 0\noom_kill 2\n";
    ProcessRunner runner(cgroup.path().string());
    const auto query = [&](std::string script) {
      return CommandQuery{.id = "t", .argv = {"sh", "-c", std::move(script)}, .env = kPath, .workdir = {},
                          .timeout_seconds = 20};
    };
    const CommandFacts killed = runner.run(query("printf 'oom 1\\noom_kill 3\\n' > " + counter + "; kill -9 $$"), 1024);
    EXPECT_TRUE(killed.out_of_memory);
    EXPECT_EQ(killed.exit_code, -9);
    const CommandFacts calm = runner.run(query("true"), 1024);
    EXPECT_FALSE(calm.out_of_memory) << "the counter did not move";
    const CommandFacts other = runner.run(query("kill -9 $$"), 1024);
    EXPECT_FALSE(other.out_of_memory) << "killed, but not for memory";
  }
  EXPECT_FALSE(ProcessRunner("/nonexistent").run({.id = "t", .argv = {"true"}, .env = kPath}, 1024).out_of_memory);
}

}  // namespace
}  // namespace kiln::inspect
