#include "bench/cli/measured_child.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>

#include "core/error.h"
#include "core/text.h"
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

// A contender's log is read back whole unless a runaway child made it huge: what the callers
// look for (its error, kiln-plugin's summary) is at the end, so the end is what is kept.
constexpr std::uintmax_t kMaxLogBytes = 64 << 20;

std::string log_ending(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::error_code ec;
  const std::uintmax_t size = std::filesystem::file_size(file, ec);
  if (ec) return {};
  if (size > kMaxLogBytes) in.seekg(static_cast<std::streamoff>(size - kMaxLogBytes));
  std::string text(std::min(size, kMaxLogBytes), '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  return text;
}

}  // namespace

ChildUsage run_measured(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
                        const std::filesystem::path& log_file, std::chrono::seconds timeout,
                        const std::vector<PrivateBind>& binds) {
  std::vector<std::string> env_lines;
  for (const auto& [name, value] : env) env_lines.push_back(name + "=" + value);
  const UniqueFd log(::open(log_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  if (!log) throw_infra(fmt::format("cannot open {}: {}", log_file.string(), std::strerror(errno)));

  ChildUsage usage;
  const auto start = Clock::now();
  const pid_t pid = spawn_child({.argv = argv,
                                 .environment = std::move(env_lines),
                                 .stdout_fd = log.get(),
                                 .stderr_fd = log.get(),
                                 .private_binds = binds});
  ReapGuard guard(pid);

  // A pidfd becomes readable when the child exits: no polling interval in the wall time.
  const UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  if (pidfd.get() < 0) throw_infra(fmt::format("pidfd_open for {}: {}", argv[0], std::strerror(errno)));
  const auto deadline = start + timeout;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0)
      throw_infra(fmt::format("{} did not finish within {} s; its output ends:\n{}", argv[0], timeout.count(),
                              ending(log_ending(log_file), 4096)));
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
  usage.output = log_ending(log_file);
  return usage;
}

}  // namespace kiln::bench
