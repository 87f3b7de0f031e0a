#pragma once
// The one place that knows which engines exist: `engine: local | kubernetes` from the config.
#include <memory>

#include "server/config/server_config.h"
#include "server/engine/engine.h"

namespace kiln::server {

/// Throws kiln::Error(usage) naming the setting when the engine cannot be made.
std::unique_ptr<Engine> make_engine(const ServerConfig& config, const std::filesystem::path& server_binary_dir);

}  // namespace kiln::server
