// run_process's contract with its children: argv and environment exactly as asked, signals
// unblocked whatever the caller blocked, a process group of its own when asked (so a timeout or
// a stop reaches what the child started), 128 + S for a child killed by signal S.
#include "core/process.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <thread>

#include "core/error.h"
#include "tests/support/processes.h"

namespace kiln {
namespace {

using testing::process_alive;

std::string sh(const std::string& script, const ProcessOptions& options = {}) {
  return run_process({"sh", "-c", script}, options).out;
}

TEST(RunProcess, OutputErrorAndExitCode) {
  const ProcessResult r = run_process({"sh", "-c", "echo out; echo err >&2; exit 7"});
  EXPECT_EQ(r.out, "out\n");
  EXPECT_EQ(r.err, "err\n");
  EXPECT_EQ(r.exit_code, 7);
  EXPECT_EQ(run_process({"cat"}, {.input = "in"}).out, "in");
}

TEST(RunProcess, KilledBySignalIs128PlusIt) {
  EXPECT_EQ(run_process({"sh", "-c", "kill -TERM $$"}).exit_code, 143);
  EXPECT_EQ(run_process({"sh", "-c", "kill -KILL $$"}).exit_code, 137);
}

TEST(RunProcess, EnvironmentAddedAndWithheld) {
  ProcessOptions options;
  options.extra_env = {{"KILN_TEST_ADDED", "a b"}};
  options.unset_env = {"HOME"};
  EXPECT_EQ(sh(R"(echo "$KILN_TEST_ADDED|${HOME-unset}|${PATH:+path}")", options), "a b|unset|path\n");
}

TEST(RunProcess, WorkingDirectory) { EXPECT_EQ(sh("pwd", {.working_dir = "/proc"}), "/proc\n"); }

TEST(RunProcess, AMissingProgramIsAnInfraError) {
  try {
    run_process({"kiln-no-such-program-7f3a"});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_class(), ExitClass::infra);
    EXPECT_STREQ(e.what(), "cannot start kiln-no-such-program-7f3a: not found in PATH");
  }
  EXPECT_THROW(run_process({"/proc/self/status"}), Error) << "not executable";
}

// A program that takes SIGTERM with sigwait() blocks it in every thread; its children must not
// start deaf to it.
TEST(RunProcess, ChildrenStartWithNoSignalBlocked) {
  sigset_t term, saved;
  sigemptyset(&term);
  sigaddset(&term, SIGTERM);
  ASSERT_EQ(::pthread_sigmask(SIG_BLOCK, &term, &saved), 0);
  const std::string blocked = sh("grep SigBlk /proc/self/status");
  ::pthread_sigmask(SIG_SETMASK, &saved, nullptr);
  EXPECT_EQ(blocked, "SigBlk:\t0000000000000000\n");
}

TEST(RunProcess, OwnProcessGroupOnlyWhenAsked) {
  // /proc/self/stat field 5 is the process group: equal to the pid for a group leader.
  const std::string script = "set -- $(cat /proc/$$/stat); [ \"$1\" = \"$5\" ] && echo leader || echo member";
  EXPECT_EQ(sh(script, {.own_process_group = true}), "leader\n");
  EXPECT_EQ(sh(script), "member\n");
}

// The timeout kills the whole group: the child's own children go too.
TEST(RunProcess, TimeoutKillsWhatTheChildStarted) {
  int grandchild = 0;
  ProcessOptions options;
  options.timeout = std::chrono::milliseconds(500);
  options.own_process_group = true;
  options.on_output_line = [&](std::string_view line) { grandchild = std::stoi(std::string(line)); };
  EXPECT_THROW(run_process({"sh", "-c", "sleep 30 & echo $!; wait"}, options), Error);
  ASSERT_GT(grandchild, 0);
  for (int i = 0; i < 100 && process_alive(grandchild); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_FALSE(process_alive(grandchild));
}

}  // namespace
}  // namespace kiln
