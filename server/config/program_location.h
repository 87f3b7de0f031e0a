#pragma once
// Where kiln-server finds kiln-plugin and kiln-verify when plugin_binary / verify_binary are
// not set: beside kiln-server (an installation, the image), else where the build tree puts
// them (build/server/kiln-server next to build/plugin/kiln-plugin and build/verify/kiln-verify).
#include <filesystem>
#include <string>

namespace kiln::server {

/// The configured path when set; else the first of <server_dir>/<name> and
/// <server_dir>/../<tree_dir>/<name> that exists; else <server_dir>/<name> (the caller reports it).
std::filesystem::path locate_program(const std::filesystem::path& configured, const std::filesystem::path& server_dir,
                                     const std::string& name, const std::string& tree_dir);

}  // namespace kiln::server
