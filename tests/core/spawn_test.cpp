// spawn_child's contract, which every program kiln starts relies on: no descriptor of ours
// reaches the child, it starts with default signal handling, a failure before exec is an
// error naming its stage (and leaves no child), and the options do what they say.
#include "core/spawn.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "core/temp_dir.h"
#include "core/unique_fd.h"

namespace kiln {
namespace {

struct Finished {
  int status = 0;
  std::string output;
};

// Runs `spec` with stdout and stderr into one pipe and waits for it.
Finished run(SpawnSpec spec) {
  int fds[2];
  EXPECT_EQ(::pipe2(fds, O_CLOEXEC), 0);
  UniqueFd read_end(fds[0]), write_end(fds[1]);
  spec.stdout_fd = spec.stderr_fd = write_end.get();
  if (spec.environment.empty()) spec.environment = {"PATH=/usr/bin:/bin"};
  const int pid = spawn_child(spec);
  write_end.reset();
  Finished done;
  char buffer[4096];
  for (ssize_t n; (n = ::read(read_end.get(), buffer, sizeof buffer)) > 0;) done.output.append(buffer, n);
  EXPECT_EQ(::waitpid(pid, &done.status, 0), pid);
  return done;
}

SpawnError failure_of(const SpawnSpec& spec) {
  try {
    spawn_child(spec);
  } catch (const SpawnError& e) {
    return e;
  }
  ADD_FAILURE() << "spawn_child did not fail";
  return SpawnError(SpawnError::Stage::system, 0, "");
}

TEST(FindExecutable, SearchesLikeExecvp) {
  EXPECT_EQ(find_executable("sh", "/nonexistent::/bin", "/"), "/bin/sh");
  EXPECT_EQ(find_executable("./x", "/bin", "/"), "./x");  // a slash: no search
  EXPECT_EQ(find_executable("passwd", "/etc", "/"), std::nullopt);  // /etc/passwd is not executable
  EXPECT_EQ(find_executable("sh", "bin", "/"), "/bin/sh");  // relative element, against the workdir
  EXPECT_EQ(find_executable("", "/bin", "/"), std::nullopt);
}

TEST(SpawnChild, NoDescriptorOfOursReachesTheChild) {
  // Not close-on-exec, as a careless library would leave it.
  const UniqueFd leaked(::open("/dev/null", O_RDONLY));
  ASSERT_GE(leaked.get(), 3);
  // ls opens the directory it lists as 3; nothing else may be there.
  EXPECT_EQ(run({.argv = {"ls", "/proc/self/fd"}}).output, "0\n1\n2\n3\n");
}

TEST(SpawnChild, TheChildStartsWithDefaultSignalHandling) {
  sigset_t term, saved_mask;
  sigemptyset(&term);
  sigaddset(&term, SIGTERM);
  ASSERT_EQ(::pthread_sigmask(SIG_BLOCK, &term, &saved_mask), 0);
  struct sigaction ignore {}, saved_action {};
  ignore.sa_handler = SIG_IGN;
  ASSERT_EQ(::sigaction(SIGUSR1, &ignore, &saved_action), 0);
  const Finished done = run({.argv = {"grep", "-E", "^Sig(Blk|Ign)", "/proc/self/status"}});
  ::sigaction(SIGUSR1, &saved_action, nullptr);
  ::pthread_sigmask(SIG_SETMASK, &saved_mask, nullptr);
  EXPECT_EQ(done.output, "SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n");
}

TEST(SpawnChild, EnvironmentWorkingDirectoryAndStdinAreAsGiven) {
  const Finished done = run({.argv = {"sh", "-c", "echo \"$A|$(pwd)|$(cat)\""},
                             .environment = {"A=a b", "PATH=/usr/bin:/bin"},
                             .working_dir = "/proc"});
  EXPECT_EQ(done.output, "a b|/proc|\n");  // stdin -1 is /dev/null: empty, not ours
}

TEST(SpawnChild, WhatFailsBeforeExecIsAnErrorNamingItsStage) {
  const SpawnError missing = failure_of({.argv = {"kiln-no-such-program-7f3a"}});
  EXPECT_EQ(missing.stage(), SpawnError::Stage::not_found);
  EXPECT_STREQ(missing.what(), "cannot start kiln-no-such-program-7f3a: not found in PATH");
  EXPECT_EQ(missing.exit_class(), ExitClass::infra);

  const SpawnError not_executable = failure_of({.argv = {"/etc/passwd"}});
  EXPECT_EQ(not_executable.stage(), SpawnError::Stage::exec);
  EXPECT_EQ(not_executable.error(), EACCES);
  EXPECT_STREQ(not_executable.what(), "cannot start /etc/passwd: Permission denied");

  const SpawnError bad_dir = failure_of({.argv = {"pwd"}, .working_dir = "/nonexistent"});
  EXPECT_EQ(bad_dir.stage(), SpawnError::Stage::working_dir);
  EXPECT_STREQ(bad_dir.what(), "cannot start pwd: cannot change to working directory /nonexistent: No such file or directory");

  // The child that failed was reaped: none is left to wait for.
  EXPECT_EQ(::waitpid(-1, nullptr, WNOHANG), -1);
  EXPECT_EQ(errno, ECHILD);
}

TEST(SpawnChild, AnOwnGroupIsLedByTheChildWhenSpawnReturns) {
  const int pid = spawn_child({.argv = {"sleep", "30"}, .own_group = true});
  EXPECT_EQ(::getpgid(pid), pid);
  ::kill(-pid, SIGKILL);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFSIGNALED(status));
}

TEST(SpawnChild, AChildThatDiesWithItsParentGoesWhenTheStartingThreadEnds) {
  int pid = -1;
  std::thread([&] { pid = spawn_child({.argv = {"sleep", "30"}, .dies_with_parent = true}); }).join();
  ASSERT_GT(pid, 0);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status));
  EXPECT_EQ(WTERMSIG(status), SIGKILL);
}

TEST(SpawnChild, PrivateBindsAreSeenByTheChildAlone) {
  if (::geteuid() != 0) GTEST_SKIP() << "private mounts need root";
  TempDir dir("kiln-spawn-test");
  std::filesystem::create_directories(dir.path() / "source");
  std::filesystem::create_directories(dir.path() / "target");
  std::ofstream(dir.path() / "source" / "file") << "from source";
  const std::string target = (dir.path() / "target").string();
  const Finished done = run({.argv = {"cat", target + "/file"},
                             .private_binds = {{.source = (dir.path() / "source").string(), .target = target}}});
  EXPECT_EQ(done.output, "from source");
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "target" / "file")) << "the bind leaked into our namespace";

  const SpawnError bad = failure_of({.argv = {"true"}, .private_binds = {{.source = target, .target = "/nonexistent/x"}}});
  EXPECT_EQ(bad.stage(), SpawnError::Stage::private_mount);
  EXPECT_STREQ(bad.what(), "cannot start true: private mount of /nonexistent/x: No such file or directory");
}

}  // namespace
}  // namespace kiln
