#pragma once
// --chown=user[:group] with names, resolved the way BuildKit's file operations do it: against
// the /etc/passwd and /etc/group the image has at that point (its base's layers, top layer
// first, plus what the stage copied there). A name with no group takes the user's primary
// group; a number with no group uses the same number.
#include <cstdint>
#include <string>
#include <utility>

namespace kiln::plugin {

/// `passwd` and `group` are the files' contents (empty when the image has none). Throws
/// kiln::Error(usage) "<where>: --chown=<chown>: no user 'x' in the image's /etc/passwd" (or
/// group, /etc/group).
std::pair<std::uint32_t, std::uint32_t> resolve_owner(const std::string& chown, const std::string& passwd,
                                                      const std::string& group, const std::string& where);

}  // namespace kiln::plugin
