#include "core/spawn.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <utility>

#include "core/unique_fd.h"

namespace kiln {
namespace {

// Why the child could not become the program, sent through a close-on-exec pipe: nothing
// arrives when execve succeeds.
struct ChildFailure {
  SpawnError::Stage stage;
  int error;
  int bind_index;  // private_mount: the bind that failed, -1 for the namespace itself
};

std::vector<char*> pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (std::string& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

[[noreturn]] void report_and_exit(int report, SpawnError::Stage stage, int bind_index = -1) {
  const ChildFailure failure{stage, errno, bind_index};
  (void)!::write(report, &failure, sizeof failure);
  ::_exit(127);
}

// In the child, between fork and exec: async-signal-safe calls only.
[[noreturn]] void become_child(const SpawnSpec& spec, const char* program, char* const* argv, char* const* envp,
                               int report, pid_t parent) {
  using Stage = SpawnError::Stage;
  if (spec.own_group) ::setpgid(0, 0);
  if (spec.dies_with_parent) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);  // the parent died before prctl took effect
  }
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  struct sigaction default_action {};
  default_action.sa_handler = SIG_DFL;
  for (int signal = 1; signal < NSIG; ++signal)
    if (signal != SIGKILL && signal != SIGSTOP) ::sigaction(signal, &default_action, nullptr);

  const bool needs_null = spec.stdin_fd < 0 || spec.stdout_fd < 0 || spec.stderr_fd < 0;
  const int null_fd = needs_null ? ::open("/dev/null", O_RDWR | O_CLOEXEC) : -1;
  if (needs_null && null_fd < 0) report_and_exit(report, Stage::redirect);
  const int in = spec.stdin_fd >= 0 ? spec.stdin_fd : null_fd;
  const int out = spec.stdout_fd >= 0 ? spec.stdout_fd : null_fd;
  const int err = spec.stderr_fd >= 0 ? spec.stderr_fd : null_fd;
  // dup2 of a descriptor onto itself would keep its close-on-exec flag.
  for (const auto& [from, to] : {std::pair{in, 0}, std::pair{out, 1}, std::pair{err, 2}}) {
    if (from == to ? ::fcntl(to, F_SETFD, 0) != 0 : ::dup2(from, to) < 0) report_and_exit(report, Stage::redirect);
  }
  // Nothing else of ours reaches the child; `report` (>= 3) closes itself at exec.
  if (report > 3) ::close_range(3, static_cast<unsigned>(report) - 1, 0);
  ::close_range(static_cast<unsigned>(report) + 1, ~0U, 0);

  if (!spec.private_binds.empty()) {
    if (::unshare(CLONE_NEWNS) != 0 || ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
      report_and_exit(report, Stage::private_mount);
    for (std::size_t i = 0; i < spec.private_binds.size(); ++i) {
      const PrivateBind& bind = spec.private_binds[i];
      if (::mount(bind.source.c_str(), bind.target.c_str(), nullptr, MS_BIND, nullptr) != 0)
        report_and_exit(report, Stage::private_mount, static_cast<int>(i));
    }
  }
  if (!spec.working_dir.empty() && ::chdir(spec.working_dir.c_str()) != 0) report_and_exit(report, Stage::working_dir);
  ::execve(program, argv, envp);
  report_and_exit(report, Stage::exec);
}

// A pipe whose write end is >= 3, so the child's dup2 onto 0, 1 and 2 cannot overwrite it
// (a daemon started with those closed gets them back from pipe2).
struct ReportPipe {
  UniqueFd read, write;
};

ReportPipe report_pipe(const std::string& name) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0)
    throw SpawnError(SpawnError::Stage::system, errno, "cannot start " + name + ": pipe: " + std::strerror(errno));
  ReportPipe pipe{UniqueFd(fds[0]), UniqueFd(fds[1])};
  if (pipe.write.get() < 3) {
    const int moved = ::fcntl(pipe.write.get(), F_DUPFD_CLOEXEC, 3);
    if (moved < 0)
      throw SpawnError(SpawnError::Stage::system, errno, "cannot start " + name + ": fcntl: " + std::strerror(errno));
    pipe.write.reset(moved);
  }
  return pipe;
}

std::string failure_text(const SpawnSpec& spec, const ChildFailure& failure) {
  using Stage = SpawnError::Stage;
  const std::string reason = std::strerror(failure.error);
  switch (failure.stage) {
    case Stage::redirect:
      return "redirecting its standard streams: " + reason;
    case Stage::private_mount:
      if (failure.bind_index < 0) return "a mount namespace of its own: " + reason;
      return "private mount of " + spec.private_binds.at(static_cast<std::size_t>(failure.bind_index)).target + ": " + reason;
    case Stage::working_dir:
      return "cannot change to working directory " + spec.working_dir + ": " + reason;
    default:
      return reason;
  }
}

}  // namespace

std::optional<std::string> find_executable(std::string_view program, std::string_view path_variable,
                                           std::string_view workdir) {
  if (program.empty()) return std::nullopt;
  if (program.find('/') != std::string_view::npos) return std::string(program);
  std::size_t start = 0;
  while (start <= path_variable.size()) {
    auto colon = path_variable.find(':', start);
    if (colon == std::string_view::npos) colon = path_variable.size();
    std::string dir(path_variable.substr(start, colon - start));
    start = colon + 1;
    if (dir.empty()) dir = ".";  // POSIX: an empty PATH element is the working directory
    if (dir[0] != '/') {
      std::string base(workdir.empty() ? "/" : workdir);
      if (base.back() != '/') base += '/';
      dir = base + dir;
    }
    const std::string candidate = dir + "/" + std::string(program);
    struct stat st {};
    if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(candidate.c_str(), X_OK) == 0)
      return candidate;
  }
  return std::nullopt;
}

int spawn_child(const SpawnSpec& spec) {
  using Stage = SpawnError::Stage;
  if (spec.argv.empty()) throw SpawnError(Stage::not_found, 0, "cannot start a program: empty argv");
  const std::string& name = spec.argv[0];
  // Everything the child needs is made before fork, so a missing program is reported plainly.
  std::string program = spec.executable;
  if (program.empty()) {
    const char* path = std::getenv("PATH");
    char cwd[4096];
    const auto found = find_executable(name, path && *path ? path : "/usr/local/bin:/usr/bin:/bin",
                                       ::getcwd(cwd, sizeof cwd) ? cwd : "/");
    if (!found) throw SpawnError(Stage::not_found, 0, "cannot start " + name + ": not found in PATH");
    program = *found;
  }
  std::vector<std::string> argv = spec.argv, environment = spec.environment;
  const std::vector<char*> argv_pointers = pointers(argv), env_pointers = pointers(environment);
  ReportPipe report = report_pipe(name);
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) throw SpawnError(Stage::system, errno, "cannot start " + name + ": fork: " + std::strerror(errno));
  if (pid == 0) become_child(spec, program.c_str(), argv_pointers.data(), env_pointers.data(), report.write.get(), parent);
  if (spec.own_group) ::setpgid(pid, pid);
  report.write.reset();
  ChildFailure failure{};
  ssize_t n;
  while ((n = ::read(report.read.get(), &failure, sizeof failure)) < 0 && errno == EINTR) {
  }
  if (n == static_cast<ssize_t>(sizeof failure)) {
    while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
    }
    throw SpawnError(failure.stage, failure.error, "cannot start " + name + ": " + failure_text(spec, failure));
  }
  return pid;
}

}  // namespace kiln
