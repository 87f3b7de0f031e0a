#pragma once
// How kiln-server runs one build. The engine is chosen once, from the server's configuration
// (`local`: kiln-plugin processes on this machine; `kubernetes`: Kaniko pods in a cluster), and
// the queue only ever calls run().
#include <atomic>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <string_view>

namespace kiln::server {

struct BuildRequest {
  std::string id;  ///< unique build id, [a-z0-9-], usable in Kubernetes object names
  /// kiln-plugin settings by their table names ("repo", "tags", "dockerfile", "backend", …);
  /// list values are already joined with commas, as a CI system passes PLUGIN_TAGS.
  std::map<std::string, std::string> settings;
  /// The build context on the server's disk (the engine may tar it to ship it elsewhere).
  std::filesystem::path context_dir;
  /// Where a remote engine fetches the same context as an uncompressed tar: GET context_url with
  /// `Authorization: Bearer <context_token>`. Empty for the local engine. The token is a secret:
  /// it is valid for this build only and never logged.
  std::string context_url;
  std::string context_token;
  /// This build's own private directory (mode 0700), removed by the queue when the build ends:
  /// the engine puts every file of the build there (credentials, digest, the programs' TMPDIR).
  std::filesystem::path temp_dir;
};

struct BuildResult {
  enum class State { succeeded, failed, cancelled };
  State state = State::failed;
  int exit_code = -1;   ///< kiln-plugin's / the executor's exit code, -1 when it never ran
  std::string digest;   ///< sha256:… of the pushed image when succeeded
  std::string message;  ///< one line for the API when not succeeded; never holds a secret
};

/// Called with each line of the build's output, in order, as it is produced.
using LogSink = std::function<void(std::string_view line)>;

class Engine {
 public:
  virtual ~Engine() = default;
  virtual std::string name() const = 0;
  /// Runs one build to its end. Returns early, with State::cancelled, once `cancel` becomes true
  /// and the build is stopped (process killed / pod deleted). Called from several queue workers
  /// at once, so implementations are thread-safe. Infrastructure failures are reported in the
  /// result, not thrown.
  virtual BuildResult run(const BuildRequest& request, const LogSink& log, const std::atomic<bool>& cancel) = 0;
};

}  // namespace kiln::server
