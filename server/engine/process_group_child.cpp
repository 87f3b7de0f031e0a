#include "server/engine/process_group_child.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <set>
#include <thread>

#include "core/error.h"
#include "core/spawn.h"
#include "core/unique_fd.h"
#include "plugin/settings.h"
#include "verify/cli/settings_table.h"

extern char** environ;

namespace kiln::server {
namespace {

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
  std::vector<std::string> env_strings;
  for (const auto& [k, v] : environment) env_strings.push_back(k + "=" + v);
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw_infra(fmt::format("pipe: {}", std::strerror(errno)));
  UniqueFd read_end(fds[0]), write_end(fds[1]);
  // The server blocks SIGTERM/SIGINT for sigwait() and ignores SIGPIPE; spawn_child starts the
  // program with neither. Nothing of the server (listening socket, database) leaks into it.
  const int pid = spawn_child({.argv = argv,
                               .environment = std::move(env_strings),
                               .working_dir = working_dir.string(),
                               .stdout_fd = write_end.get(),
                               .stderr_fd = write_end.get(),
                               .own_group = true,
                               .dies_with_parent = true});
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
