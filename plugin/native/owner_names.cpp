#include "plugin/native/owner_names.h"

#include <fmt/format.h>

#include <optional>
#include <sstream>
#include <vector>

#include "core/error.h"

namespace kiln::plugin {
namespace {

std::optional<std::uint32_t> number(const std::string& s) {
  if (s.empty() || s.size() > 10 || s.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  const unsigned long long n = std::stoull(s);
  if (n > 0xffffffffULL) return std::nullopt;
  return static_cast<std::uint32_t>(n);
}

// The fields of the first line whose first field is `name` and that has at least `fields`
// fields (passwd: name:x:uid:gid:..., group: name:x:gid[:members]).
std::optional<std::vector<std::string>> find_entry(const std::string& file, const std::string& name,
                                                   std::size_t min_fields) {
  std::istringstream in(file);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line.front() == '#') continue;
    std::vector<std::string> fields;
    std::istringstream parts(line);
    for (std::string field; std::getline(parts, field, ':');) fields.push_back(field);
    if (fields.size() >= min_fields && fields[0] == name) return fields;
  }
  return std::nullopt;
}

}  // namespace

std::pair<std::uint32_t, std::uint32_t> resolve_owner(const std::string& chown, const std::string& passwd,
                                                      const std::string& group, const std::string& where) {
  const auto colon = chown.find(':');
  const std::string user = chown.substr(0, colon);
  std::uint32_t uid = 0, gid = 0;
  if (auto n = number(user)) {
    uid = gid = *n;
  } else {
    const auto entry = find_entry(passwd, user, 4);
    const auto id = entry ? number((*entry)[2]) : std::nullopt;
    const auto primary = entry ? number((*entry)[3]) : std::nullopt;
    if (!id || !primary)
      throw_usage(fmt::format("{}: --chown={}: no user '{}' in the image's /etc/passwd", where, chown, user));
    uid = *id;
    gid = *primary;
  }
  if (colon == std::string::npos) return {uid, gid};
  const std::string name = chown.substr(colon + 1);
  if (auto n = number(name)) return {uid, *n};
  const auto entry = find_entry(group, name, 3);
  const auto id = entry ? number((*entry)[2]) : std::nullopt;
  if (!id) throw_usage(fmt::format("{}: --chown={}: no group '{}' in the image's /etc/group", where, chown, name));
  return {uid, *id};
}

}  // namespace kiln::plugin
