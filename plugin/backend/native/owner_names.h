#pragma once
// --chown=user[:group] resolved the way BuildKit's file operations do it: numbers as they are,
// names against the /etc/passwd and /etc/group the image has at that point (its base's layers,
// top layer first, plus what the stage copied there). A name with no group takes the user's
// primary group; a number with no group uses the same number. Ids are 0 to 4294967294
// (core/numeric_id.h); anything outside is an error naming the instruction, never truncated.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>

namespace kiln::plugin {

/// --chown=uid[:gid] with numbers: the pair; nullopt when either part is a name (the image's
/// /etc/passwd is needed). Throws kiln::Error(usage) "<where>: --chown=<chown>: uid <n> is out
/// of range (0 to 4294967294)" (or gid).
std::optional<std::pair<std::uint32_t, std::uint32_t>> numeric_owner(const std::string& chown,
                                                                     const std::string& where);

/// `passwd` and `group` are the files' contents (empty when the image has none). Throws
/// kiln::Error(usage) "<where>: --chown=<chown>: no user 'x' in the image's /etc/passwd" (or
/// group, /etc/group), or the out-of-range error of numeric_owner.
std::pair<std::uint32_t, std::uint32_t> resolve_owner(const std::string& chown, const std::string& passwd,
                                                      const std::string& group, const std::string& where);

}  // namespace kiln::plugin
