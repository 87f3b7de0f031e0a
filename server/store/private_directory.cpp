#include "server/store/private_directory.h"

#include <fmt/format.h>

#include "core/error.h"

namespace kiln::server {

void create_private_directory(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (!ec) std::filesystem::permissions(dir, std::filesystem::perms::owner_all, std::filesystem::perm_options::replace, ec);
  if (ec) throw_infra(fmt::format("{}: cannot create a private directory: {}", dir.string(), ec.message()));
}

}  // namespace kiln::server
