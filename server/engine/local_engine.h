#pragma once
// The local engine: each build is the real kiln-plugin, run here as a child process in its own
// process group with the settings as PLUGIN_* variables, in the build's context directory; the
// build's temp root holds its registry credentials (DOCKER_CONFIG), its digest file and, as
// its TMPDIR, every temporary file kiln-plugin makes.
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

/// The TMPDIR of a build's programs, <temp_root>/tmp, created private.
std::filesystem::path build_tmpdir(const std::filesystem::path& temp_root);

}  // namespace kiln::server
