#include "server/engine/make_engine.h"

#include "core/error.h"
#include "server/engine/kubernetes/kubernetes_engine.h"
#include "server/engine/local_engine.h"

namespace kiln::server {

std::unique_ptr<Engine> make_engine(const ServerConfig& config, const std::filesystem::path& server_binary_dir) {
  if (config.engine == "kubernetes") {
    const KubernetesSettings& k = config.kubernetes;
    if (k.context_base_url.empty())
      throw_usage("kubernetes.context_base_url: required with engine kubernetes (the URL build pods reach this server at)");
    return make_kubernetes_engine({.kubeconfig = k.kubeconfig,
                                   .namespace_name = k.namespace_name,
                                   .executor_image = k.executor_image,
                                   .registry_secret = k.registry_secret,
                                   .deadline = std::chrono::seconds(k.deadline_seconds)});
  }
  const auto plugin = config.plugin_binary.empty() ? server_binary_dir / "kiln-plugin" : config.plugin_binary;
  return std::make_unique<LocalEngine>(plugin);
}

}  // namespace kiln::server
