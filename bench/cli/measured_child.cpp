#include "bench/cli/measured_child.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "core/error.h"
#include "core/unique_fd.h"

namespace kiln::bench {
namespace {

using Clock = std::chrono::steady_clock;

double seconds(const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; }

// Kills and reaps a child that is still running when the scope ends (a throw, a timeout).
class ReapGuard {
 public:
  explicit ReapGuard(pid_t pid) : pid_(pid) {}
  ~ReapGuard() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    while (::waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
    }
  }
  void release() { pid_ = -1; }
  ReapGuard(const ReapGuard&) = delete;
  ReapGuard& operator=(const ReapGuard&) = delete;

 private:
  pid_t pid_;
};

std::string read_all(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

ChildUsage run_measured(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
                        const std::filesystem::path& log_file, std::chrono::seconds timeout,
                        const std::vector<PrivateBind>& binds) {
  // Everything the child needs is made before fork(): after it, only system calls.
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::vector<std::string> env_lines;
  for (const auto& [name, value] : env) env_lines.push_back(name + "=" + value);
  std::vector<char*> envp;
  for (auto& line : env_lines) envp.push_back(line.data());
  envp.push_back(nullptr);
  std::vector<std::string> bind_paths;
  for (const auto& b : binds) bind_paths.insert(bind_paths.end(), {b.source.string(), b.target.string()});
  const std::string log_path = log_file.string();

  ChildUsage usage;
  const auto start = Clock::now();
  const pid_t pid = ::fork();
  if (pid < 0) throw_infra(fmt::format("cannot start {}: fork: {}", argv[0], std::strerror(errno)));
  if (pid == 0) {
    const int out = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    const int in = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (out < 0 || in < 0) ::_exit(127);
    ::dup2(in, STDIN_FILENO);
    ::dup2(out, STDOUT_FILENO);
    ::dup2(out, STDERR_FILENO);
    ::syscall(SYS_close_range, 3u, ~0u, 0u);
    if (!bind_paths.empty()) {
      const char* failed = nullptr;
      if (::unshare(CLONE_NEWNS) != 0) failed = "unshare(CLONE_NEWNS)";
      else if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) failed = "mount --make-rprivate /";
      for (std::size_t i = 0; !failed && i < bind_paths.size(); i += 2)
        if (::mount(bind_paths[i].c_str(), bind_paths[i + 1].c_str(), nullptr, MS_BIND, nullptr) != 0)
          failed = bind_paths[i + 1].c_str();
      if (failed) {
        const char* what = std::strerror(errno);
        for (const char* part : {"kiln-bench: private mount for the child failed: ", failed, ": ", what, "\n"})
          if (::write(STDERR_FILENO, part, std::strlen(part)) < 0) break;
        ::_exit(126);
      }
    }
    ::execvpe(args[0], args.data(), envp.data());
    const char* what = std::strerror(errno);
    for (const char* part : {static_cast<const char*>("kiln-bench: cannot run "), static_cast<const char*>(args[0]), ": ", what, "\n"})
      if (::write(STDERR_FILENO, part, std::strlen(part)) < 0) break;
    ::_exit(127);
  }
  ReapGuard guard(pid);

  // A pidfd becomes readable when the child exits: no polling interval in the wall time.
  const UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  if (pidfd.get() < 0) throw_infra(fmt::format("pidfd_open for {}: {}", argv[0], std::strerror(errno)));
  const auto deadline = start + timeout;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0)
      throw_infra(fmt::format("{} did not finish within {} s; its output ends:\n{}", argv[0], timeout.count(),
                              read_all(log_file).substr(0, 4096)));
    pollfd p{.fd = pidfd.get(), .events = POLLIN, .revents = 0};
    const int ready = ::poll(&p, 1, static_cast<int>(std::min<std::int64_t>(left.count(), 1000)));
    if (ready > 0) break;
    if (ready < 0 && errno != EINTR) throw_infra(fmt::format("poll on {}: {}", argv[0], std::strerror(errno)));
  }
  int status = 0;
  rusage r{};
  while (::wait4(pid, &status, 0, &r) < 0) {
    if (errno != EINTR) throw_infra(fmt::format("wait4 on {}: {}", argv[0], std::strerror(errno)));
  }
  guard.release();
  usage.wall_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  usage.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  usage.cpu_seconds = seconds(r.ru_utime) + seconds(r.ru_stime);
  usage.peak_rss_bytes = static_cast<std::int64_t>(r.ru_maxrss) * 1024;  // Linux: kilobytes
  usage.output = read_all(log_file);
  return usage;
}

}  // namespace kiln::bench
