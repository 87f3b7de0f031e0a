#pragma once
// Where a COPY source really is in the build context. Docker sends the builder only what
// .dockerignore lets through, then resolves sources inside what it sent: a symbolic link to an
// excluded file or directory leads nowhere there, and the COPY fails. kiln reads the context
// in place, so it follows links itself and refuses the same paths Docker cannot reach, instead
// of copying what .dockerignore was written to keep out of the image.
#include <filesystem>
#include <string>

#include "plugin/dockerfile/dockerfile.h"

namespace kiln::plugin {

struct ContextPath {
  std::filesystem::path real;  ///< absolute, every symbolic link on the way followed
  std::string relative;        ///< `real` relative to the context root, '/'-separated; "" for the root
};

/// Follows `relative` (cleaned, '/'-separated) from the context root component by component,
/// at most 40 symbolic links, as Docker resolves a source within the context it sent. Throws
/// kiln::Error(usage), "<where>: " first and naming `source` as written, when a link leads out
/// of the context, when a link on the way or the path it ends at is excluded by `ignore`
/// (naming the path and the rule), or when the links loop. A path that does not exist is
/// returned as it is; the caller reports it.
ContextPath resolve_in_context(const std::filesystem::path& context, const std::string& relative,
                               const DockerIgnore& ignore, const std::string& where, const std::string& source);

}  // namespace kiln::plugin
