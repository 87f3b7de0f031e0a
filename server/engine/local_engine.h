#pragma once
// The local engine: each build is the real kiln-plugin, run here as a child process in its own
// process group with the settings as PLUGIN_* variables, in a fresh temporary directory that
// holds its registry credentials (DOCKER_CONFIG) and its digest file.
#include <filesystem>

#include "server/engine/engine.h"

namespace kiln::server {

class LocalEngine final : public Engine {
 public:
  explicit LocalEngine(std::filesystem::path plugin_binary);
  std::string name() const override { return "local"; }
  BuildResult run(const BuildRequest& request, const LogSink& log, const std::atomic<bool>& cancel) override;

 private:
  std::filesystem::path plugin_binary_;
};

/// "repo" -> "PLUGIN_REPO"
std::string plugin_variable(const std::string& setting);

}  // namespace kiln::server
