#pragma once
// Runs a program as the leader of its own process group, with its whole environment given as
// a value (settings travel there, never in argv, so no secret shows in /proc/<pid>/cmdline).
// Cancelling kills the group, so nothing the program started outlives it; and the child is
// sent SIGKILL if the thread that started it dies (a SIGKILLed server leaves no orphan build).
#include <atomic>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace kiln::server {

struct GroupRun {
  int exit_code = -1;      ///< the program's exit code; 128+signal when killed by one
  bool cancelled = false;  ///< `cancel` became true and the group was killed
};

/// `environment` is the complete environment of the child. Each line of stdout and stderr
/// (one pipe, in order) goes to `on_line`. Throws kiln::Error(infra) when it cannot start.
GroupRun run_in_process_group(const std::vector<std::string>& argv, const std::map<std::string, std::string>& environment,
                              const std::filesystem::path& working_dir,
                              const std::function<void(std::string_view)>& on_line, const std::atomic<bool>& cancel);

/// This process's environment without what would configure a build from the server's side:
/// PLUGIN_*, KILN_*, DOCKER_*, TMPDIR, the plain variables the settings tables fall back to
/// (ACCESS_TOKEN, IMAGE_REF, KUBECONFIG, …) and a CI system's own (CI_*, DRONE_*, GITLAB_*, …).
/// The base a build's environment starts from: its settings come from its request only.
std::map<std::string, std::string> clean_base_environment();

}  // namespace kiln::server
