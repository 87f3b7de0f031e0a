#pragma once
// What a build leaves for the steps after it.
#include <string>

#include "plugin/backend/backend.h"

namespace kiln::plugin {

/// Writes the digest ("sha256:...", no newline, as kaniko's --digest-file) atomically:
/// a later step never reads a half-written file.
void write_digest_file(const std::string& path, const BuildResult& result);

}  // namespace kiln::plugin
