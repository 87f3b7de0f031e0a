#pragma once
// The Kaniko executor's argv for one build in a pod, from the kiln-plugin settings of a
// BuildRequest, through kiln-plugin's own mapping (make_plan → kaniko_options → kaniko_argv):
// a setting means the same to a pod as to a pipeline step.
#include <map>
#include <string>
#include <vector>

namespace kiln::server {

/// Where the init container unpacks the build context; the executor's working directory, so
/// the `context` and `dockerfile` settings are relative to it as they are to a step's checkout.
inline constexpr const char* pod_workspace = "/workspace";
/// The executor writes the digest here: the kubelet makes it the container's termination message.
inline constexpr const char* pod_digest_file = "/dev/termination-log";

struct ExecutorCommand {
  std::vector<std::string> argv;      ///< argv[0] is /kaniko/executor
  std::vector<std::string> warnings;  ///< about settings (unknown names, ignored ones), for the build log
};

/// Throws kiln::Error(usage) naming the setting at fault, also for what a pod cannot do: a
/// `binary` build (its template needs files outside the context), push_only, absolute or
/// escaping `context` / `dockerfile` paths, and registry credentials in settings (they come
/// from the Secret named by kubernetes.registry_secret only).
ExecutorCommand executor_command(const std::map<std::string, std::string>& settings);

}  // namespace kiln::server
