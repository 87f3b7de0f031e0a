#pragma once
// Files other steps read (digest files, config.json, cache entries) are replaced in one step:
// written to a unique temporary file beside the target, then renamed over it, so a reader
// sees the old content or the new, never half of it.
#include <sys/types.h>

#include <filesystem>
#include <string_view>

namespace kiln {

/// Writes `content` to `path` atomically with permission bits `mode` from the moment the
/// file exists (credentials are never briefly world-readable). Throws kiln::Error(infra)
/// naming the path; the temporary file is removed on failure.
void write_file_atomically(const std::filesystem::path& path, std::string_view content, mode_t mode = 0644);

}  // namespace kiln
