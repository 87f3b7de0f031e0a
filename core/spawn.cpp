#include "core/spawn.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "core/error.h"
#include "core/unique_fd.h"

namespace kiln {
namespace {

bool executable_file(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

// What execvp would run, found before fork so a missing program is reported plainly.
std::string find_program(const std::string& name) {
  if (name.find('/') != std::string::npos) return name;
  const char* path = std::getenv("PATH");
  std::string_view dirs = path && *path ? path : "/usr/local/bin:/usr/bin:/bin";
  while (true) {
    const auto colon = dirs.find(':');
    const std::string dir(dirs.substr(0, colon));
    const std::string candidate = (dir.empty() ? std::string(".") : dir) + "/" + name;
    if (executable_file(candidate)) return candidate;
    if (colon == std::string_view::npos) break;
    dirs.remove_prefix(colon + 1);
  }
  throw_infra(fmt::format("cannot start {}: not found in PATH", name));
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (std::string& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

[[noreturn]] void report_errno_and_exit(int report) {
  const int error = errno;
  (void)!::write(report, &error, sizeof error);
  ::_exit(127);
}

// In the child, between fork and exec: async-signal-safe calls only. Reports errno on `report`.
[[noreturn]] void become_child(const SpawnSpec& spec, const char* program, char* const* argv, char* const* envp,
                               int report, pid_t parent) {
  auto fail = [report] { report_errno_and_exit(report); };
  if (spec.own_group) {
    ::setpgid(0, 0);
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

  const int null_fd = ::open("/dev/null", O_RDWR);
  const int in = spec.stdin_fd >= 0 ? spec.stdin_fd : null_fd;
  const int out = spec.stdout_fd >= 0 ? spec.stdout_fd : null_fd;
  const int err = spec.stderr_fd >= 0 ? spec.stderr_fd : null_fd;
  if (::dup2(in, 0) < 0 || ::dup2(out, 1) < 0 || ::dup2(err, 2) < 0) fail();
  // Nothing else of ours reaches the child; `report` closes itself at exec (O_CLOEXEC).
  if (report > 3) ::close_range(3, report - 1, 0);
  ::close_range(report + 1, ~0U, 0);
  if (!spec.working_dir.empty() && ::chdir(spec.working_dir.c_str()) != 0) fail();
  ::execve(program, argv, envp);
  report_errno_and_exit(report);
}

}  // namespace

int spawn_child(const SpawnSpec& spec) {
  if (spec.argv.empty()) throw_infra("cannot start a program: empty argv");
  // Everything the child needs is made before fork.
  const std::string program = find_program(spec.argv[0]);
  std::vector<std::string> argv = spec.argv, environment = spec.environment;
  const std::vector<char*> argv_pointers = pointers(argv), env_pointers = pointers(environment);
  int report_fds[2];
  if (::pipe2(report_fds, O_CLOEXEC) != 0)
    throw_infra(fmt::format("cannot start {}: pipe: {}", spec.argv[0], std::strerror(errno)));
  UniqueFd report_read(report_fds[0]), report_write(report_fds[1]);
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) throw_infra(fmt::format("cannot start {}: fork: {}", spec.argv[0], std::strerror(errno)));
  if (pid == 0) become_child(spec, program.c_str(), argv_pointers.data(), env_pointers.data(), report_write.get(), parent);
  // Also from here, so the group exists before anyone signals it.
  if (spec.own_group) ::setpgid(pid, pid);
  report_write.reset();
  int error = 0;
  ssize_t n;
  while ((n = ::read(report_read.get(), &error, sizeof error)) < 0 && errno == EINTR) {
  }
  if (n == static_cast<ssize_t>(sizeof error)) {
    while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
    }
    throw_infra(fmt::format("cannot start {}: {}", spec.argv[0], std::strerror(error)));
  }
  return pid;
}

}  // namespace kiln
