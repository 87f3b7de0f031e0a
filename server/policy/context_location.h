#pragma once
// Which directories on the server a build may use as its context: an uploaded context (kept
// under the data dir), or a directory below one of the configured `context_roots`. Anything
// else would let a client read any directory the server's user can.
#include <filesystem>
#include <string>
#include <vector>

namespace kiln::server {

struct ContextLocations {
  std::filesystem::path data_dir;             ///< never a context, never inside one, except its uploads
  std::filesystem::path uploads;              ///< <data_dir>/contexts: uploaded contexts, ctx-<id>/
  std::vector<std::filesystem::path> roots;   ///< `context_roots`; empty: uploads only
};

/// The directory a client names as "context": "ctx-…" (an upload) or an absolute path below a
/// root, returned with its symlinks resolved. Throws kiln::Error(usage) "context: …".
std::filesystem::path resolve_context_dir(const std::string& text, const ContextLocations& where);

/// True when `dir` (as resolve_context_dir returned it, perhaps a while ago) still is an upload
/// or below a root once its symlinks are resolved again.
bool context_dir_allowed(const std::filesystem::path& dir, const ContextLocations& where);

}  // namespace kiln::server
