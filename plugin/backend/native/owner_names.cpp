#include "plugin/backend/native/owner_names.h"

#include <fmt/format.h>

#include <sstream>
#include <vector>

#include "core/error.h"
#include "core/numeric_id.h"

namespace kiln::plugin {
namespace {

// The id `text` gives, nullopt for a name; `what` ("uid", "gid") names it in the error.
std::optional<std::uint32_t> id_of(const std::string& text, const char* what, const std::string& chown,
                                   const std::string& where) {
  const ParsedId id = parse_numeric_id(text);
  switch (id.kind) {
    case ParsedId::Kind::number: return id.value;
    case ParsedId::Kind::name: return std::nullopt;
    case ParsedId::Kind::out_of_range: break;
  }
  throw_usage(fmt::format("{}: --chown={}: {} {} is out of range (0 to {})", where, chown, what, text, kMaxNumericId));
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

// An id field of the image's own files: a name there, or a number out of range, is no entry.
std::optional<std::uint32_t> file_id(const std::string& text) {
  const ParsedId id = parse_numeric_id(text);
  if (id.kind == ParsedId::Kind::number) return id.value;
  return std::nullopt;
}

}  // namespace

std::optional<std::pair<std::uint32_t, std::uint32_t>> numeric_owner(const std::string& chown,
                                                                     const std::string& where) {
  const auto colon = chown.find(':');
  const auto uid = id_of(chown.substr(0, colon), "uid", chown, where);
  const auto gid = colon == std::string::npos ? uid : id_of(chown.substr(colon + 1), "gid", chown, where);
  if (!uid || !gid) return std::nullopt;
  return std::pair{*uid, *gid};  // Docker: a missing gid is the uid
}

std::pair<std::uint32_t, std::uint32_t> resolve_owner(const std::string& chown, const std::string& passwd,
                                                      const std::string& group, const std::string& where) {
  const auto colon = chown.find(':');
  const std::string user = chown.substr(0, colon);
  std::uint32_t uid = 0, gid = 0;
  if (auto n = id_of(user, "uid", chown, where)) {
    uid = gid = *n;
  } else {
    const auto entry = find_entry(passwd, user, 4);
    const auto id = entry ? file_id((*entry)[2]) : std::nullopt;
    const auto primary = entry ? file_id((*entry)[3]) : std::nullopt;
    if (!id || !primary)
      throw_usage(fmt::format("{}: --chown={}: no user '{}' in the image's /etc/passwd", where, chown, user));
    uid = *id;
    gid = *primary;
  }
  if (colon == std::string::npos) return {uid, gid};
  const std::string name = chown.substr(colon + 1);
  if (auto n = id_of(name, "gid", chown, where)) return {uid, *n};
  const auto entry = find_entry(group, name, 3);
  const auto id = entry ? file_id((*entry)[2]) : std::nullopt;
  if (!id) throw_usage(fmt::format("{}: --chown={}: no group '{}' in the image's /etc/group", where, chown, name));
  return {uid, *id};
}

}  // namespace kiln::plugin
