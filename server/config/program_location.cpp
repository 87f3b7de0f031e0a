#include "server/config/program_location.h"

namespace kiln::server {

std::filesystem::path locate_program(const std::filesystem::path& configured, const std::filesystem::path& server_dir,
                                     const std::string& name, const std::string& tree_dir) {
  if (!configured.empty()) return configured;
  const auto beside = server_dir / name;
  if (std::filesystem::exists(beside)) return beside;
  const auto in_tree = (server_dir.parent_path() / tree_dir / name).lexically_normal();
  if (std::filesystem::exists(in_tree)) return in_tree;
  return beside;
}

}  // namespace kiln::server
