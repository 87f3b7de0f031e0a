#include "verify/driver/local/image_user.h"

#include <fmt/format.h>

#include <charconv>
#include <optional>
#include <sstream>
#include <string>

#include "core/error.h"
#include "core/text.h"

namespace kiln::verify {
namespace {

constexpr std::uint64_t kMaxDatabaseBytes = 4 * 1024 * 1024;

std::optional<std::uint32_t> number(std::string_view text) {
  std::uint32_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// The lines of /etc/passwd or /etc/group split at ':'; empty when the file is absent.
std::vector<std::vector<std::string>> database(const inspect::FileTree& tree, const char* path) {
  std::vector<std::vector<std::string>> rows;
  const auto resolved = inspect::resolve(tree, path, true);
  const auto text = resolved ? tree.read(*resolved, kMaxDatabaseBytes) : std::nullopt;
  if (!text) return rows;
  std::istringstream in(*text);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    auto fields = split(line, ':');
    if (fields.size() >= 4) rows.push_back(std::move(fields));
  }
  return rows;
}

}  // namespace

ProcessUser resolve_image_user(std::string_view user, const inspect::FileTree& rootfs) {
  const auto colon = user.find(':');
  const std::string_view name = user.substr(0, colon);
  const std::optional<std::string_view> group =
      colon == std::string_view::npos ? std::nullopt : std::optional(user.substr(colon + 1));
  ProcessUser out;
  std::string user_name;  // for supplementary groups
  const auto passwd = database(rootfs, "/etc/passwd");
  if (const auto uid = number(name)) {
    out.uid = *uid;
    for (const auto& row : passwd)
      if (number(row[2]) == uid) {
        out.gid = number(row[3]).value_or(0);
        user_name = row[0];
        break;
      }
  } else if (!name.empty()) {
    bool found = false;
    for (const auto& row : passwd)
      if (row[0] == name) {
        out.uid = number(row[2]).value_or(0);
        out.gid = number(row[3]).value_or(0);
        user_name = row[0];
        found = true;
        break;
      }
    if (!found)
      throw_infra(fmt::format("the image's User \"{}\": no user \"{}\" in the image's /etc/passwd", user, name));
  }
  const auto groups = database(rootfs, "/etc/group");
  if (group && !group->empty()) {
    if (const auto gid = number(*group)) {
      out.gid = *gid;
    } else {
      bool found = false;
      for (const auto& row : groups)
        if (row[0] == *group) {
          out.gid = number(row[2]).value_or(0);
          found = true;
          break;
        }
      if (!found)
        throw_infra(fmt::format("the image's User \"{}\": no group \"{}\" in the image's /etc/group", user, *group));
    }
    return out;
  }
  // As initgroups(3) at login: the primary group, then every group listing the user.
  if (!user_name.empty()) out.additional_gids.push_back(out.gid);
  if (!user_name.empty())
    for (const auto& row : groups)
      for (const auto& member : split(row[3], ','))
        if (member == user_name) {
          if (const auto gid = number(row[2]); gid && *gid != out.gid) out.additional_gids.push_back(*gid);
        }
  return out;
}

}  // namespace kiln::verify
