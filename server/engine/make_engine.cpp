#include "server/engine/make_engine.h"

#include "core/error.h"
#include "server/engine/local_engine.h"

namespace kiln::server {

std::unique_ptr<Engine> make_engine(const ServerConfig& config, const std::filesystem::path& server_binary_dir) {
  if (config.engine == "kubernetes") {
    // Wired to make_kubernetes_engine() (server/engine/kubernetes/kubernetes_engine.h) once that
    // engine is merged; config.kubernetes holds its keys, already checked.
    throw_usage("engine: kubernetes is not built in to this kiln-server");
  }
  const auto plugin = config.plugin_binary.empty() ? server_binary_dir / "kiln-plugin" : config.plugin_binary;
  return std::make_unique<LocalEngine>(plugin);
}

}  // namespace kiln::server
