#include "server/engine/process_group_child.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <set>
#include <thread>

#include "core/error.h"
#include "plugin/settings.h"
#include "verify/cli/settings_table.h"

extern char** environ;

namespace kiln::server {
namespace {

class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

bool reap(int pid, int* status, std::chrono::milliseconds within) {
  const auto deadline = std::chrono::steady_clock::now() + within;
  do {
    const int r = ::waitpid(pid, status, WNOHANG);
    if (r == pid || (r < 0 && errno == ECHILD)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  } while (std::chrono::steady_clock::now() < deadline);
  return false;
}

}  // namespace

std::map<std::string, std::string> clean_base_environment() {
  // The plain variables kiln-plugin's and kiln-verify's settings fall back to (ACCESS_TOKEN,
  // DOCKER_AUTH_CONFIG, IMAGE_REF, KUBECONFIG, …): the server's values must not fill in a
  // client's build.
  std::set<std::string> fallbacks;
  for (const SettingsTable* table : {&plugin::setting_specs(), &verify::verify_setting_specs()})
    for (const auto& spec : *table) fallbacks.insert(spec.env.begin(), spec.env.end());
  // A CI system's own variables (its registry login, job token, refs) if the server runs in one.
  const auto from_ci = [](const std::string& name) {
    for (const char* prefix : {"CI_", "DRONE_", "GITLAB_", "WOODPECKER_"})
      if (name.starts_with(prefix)) return true;
    return name == "CI" || name == "DRONE" || name == "GITLAB_CI";
  };
  std::map<std::string, std::string> out;
  for (char** e = environ; e && *e; ++e) {
    const std::string entry(*e);
    const auto eq = entry.find('=');
    if (eq == std::string::npos) continue;
    const std::string name = entry.substr(0, eq);
    if (name.starts_with("PLUGIN_") || name.starts_with("KILN_") || name.starts_with("DOCKER_") || name == "TMPDIR" ||
        fallbacks.contains(name) || from_ci(name))
      continue;
    out[name] = entry.substr(eq + 1);
  }
  return out;
}

GroupRun run_in_process_group(const std::vector<std::string>& argv, const std::map<std::string, std::string>& environment,
                              const std::filesystem::path& working_dir,
                              const std::function<void(std::string_view)>& on_line, const std::atomic<bool>& cancel) {
  if (argv.empty()) throw_infra("run_in_process_group: empty argv");
  // Everything the child needs is built before fork: only async-signal-safe calls after it.
  std::vector<std::string> env_strings;
  for (const auto& [k, v] : environment) env_strings.push_back(k + "=" + v);
  std::vector<char*> envp, args;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> argv_copy = argv;
  for (auto& s : argv_copy) args.push_back(s.data());
  args.push_back(nullptr);
  const std::string dir = working_dir.string();

  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw_infra(fmt::format("pipe: {}", std::strerror(errno)));
  Fd read_end(fds[0]), write_end(fds[1]);
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) throw_infra(fmt::format("cannot start {}: fork: {}", argv[0], std::strerror(errno)));
  if (pid == 0) {
    ::setpgid(0, 0);
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    // The server blocks SIGTERM/SIGINT for sigwait() and ignores SIGPIPE; exec would keep both.
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    struct sigaction default_action {};
    default_action.sa_handler = SIG_DFL;
    ::sigaction(SIGPIPE, &default_action, nullptr);
    if (::getppid() != parent) ::_exit(127);  // the server died before prctl took effect
    ::dup2(write_end.get(), 1);
    ::dup2(write_end.get(), 2);
    const int null_fd = ::open("/dev/null", O_RDONLY);
    if (null_fd >= 0) ::dup2(null_fd, 0);
    // Nothing of the server (listening socket, database) leaks into the build.
    ::close_range(3, ~0U, 0);
    if (!dir.empty() && ::chdir(dir.c_str()) != 0) {
      const char msg[] = "kiln-server: cannot enter the build context directory\n";
      (void)!::write(2, msg, sizeof msg - 1);
      ::_exit(127);
    }
    ::execve(args[0], args.data(), envp.data());
    const char msg[] = "kiln-server: cannot execute the build program\n";
    (void)!::write(2, msg, sizeof msg - 1);
    ::_exit(127);
  }
  ::setpgid(pid, pid);  // also from here, so the group exists before we might signal it
  write_end.reset();

  GroupRun result;
  int status = 0;
  bool reaped = false;
  std::string pending;
  char buffer[65536];
  bool open = true;
  while (open) {
    if (cancel.load() && !result.cancelled) {
      result.cancelled = true;
      ::kill(-pid, SIGTERM);
      if (!reap(pid, &status, std::chrono::seconds(3))) ::kill(-pid, SIGKILL);
      break;
    }
    pollfd p{read_end.get(), POLLIN, 0};
    const int ready = ::poll(&p, 1, 100);
    if (ready <= 0) {
      // The program exited but something it started still holds the pipe: end the group.
      if (!reaped && ::waitpid(pid, &status, WNOHANG) == pid) {
        reaped = true;
        ::kill(-pid, SIGKILL);
      }
      continue;
    }
    const ssize_t n = ::read(read_end.get(), buffer, sizeof buffer);
    if (n <= 0) {
      if (n < 0 && errno == EINTR) continue;
      open = false;
      break;
    }
    pending.append(buffer, static_cast<std::size_t>(n));
    std::size_t start = 0;
    for (std::size_t nl; (nl = pending.find('\n', start)) != std::string::npos; start = nl + 1)
      on_line(std::string_view(pending).substr(start, nl - start));
    pending.erase(0, start);
  }
  if (!pending.empty() && !result.cancelled) on_line(pending);
  if (!reaped && !result.cancelled) reaped = ::waitpid(pid, &status, 0) == pid;
  else if (result.cancelled) reaped = reap(pid, &status, std::chrono::seconds(5));
  if (reaped) {
    if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
    else if (WIFSIGNALED(status)) result.exit_code = 128 + WTERMSIG(status);
  }
  // Whatever the program left running in its group goes with it.
  ::kill(-pid, SIGKILL);
  return result;
}

}  // namespace kiln::server
