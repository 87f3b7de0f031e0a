#pragma once
// The image config's `User` as the numbers runc needs, looked up as Docker and runc do: names
// in the image's own /etc/passwd and /etc/group, never the host's.
#include <cstdint>
#include <string_view>
#include <vector>

#include "inspect/file_tree.h"

namespace kiln::verify {

struct ProcessUser {
  std::uint32_t uid = 0;
  std::uint32_t gid = 0;
  std::vector<std::uint32_t> additional_gids;  ///< primary gid and the groups in /etc/group listing the user
  friend bool operator==(const ProcessUser&, const ProcessUser&) = default;
};

/// "" (root), "name", "uid", "name:group", "uid:gid", ... A numeric uid missing from passwd
/// runs with gid 0, as in Docker. Throws kiln::Error(infra) naming a user or group the image
/// does not define.
ProcessUser resolve_image_user(std::string_view user, const inspect::FileTree& rootfs);

}  // namespace kiln::verify
