#include "server/policy/context_location.h"

#include <fmt/format.h>

#include "core/error.h"
#include "core/path_inside.h"

namespace kiln::server {
namespace fs = std::filesystem;
namespace {

bool is_context_id(const std::string& text) {
  return text.starts_with("ctx-") && text.size() > 4 &&
         text.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") == std::string::npos;
}

// An upload is a direct child of `uploads`; any other directory must be below a root, and
// neither hold the data dir (its secret key, database, other clients' uploads) nor lie in it.
bool under_allowed(const fs::path& real, const ContextLocations& where) {
  if (real.parent_path() == fs::weakly_canonical(where.uploads)) return is_context_id(real.filename().string());
  if (resolve_inside(where.data_dir, real) || resolve_inside(real, where.data_dir)) return false;
  for (const auto& root : where.roots)
    if (resolve_inside(root, real)) return true;
  return false;
}

}  // namespace

fs::path resolve_context_dir(const std::string& text, const ContextLocations& where) {
  if (text.empty()) throw_usage("context: expected a directory on the server or an uploaded context id (POST /v1/contexts)");
  std::error_code ec;
  if (text.starts_with("ctx-")) {
    if (!is_context_id(text)) throw_usage(fmt::format("context: '{}' is not a context id", text));
    const fs::path dir = where.uploads / text;
    if (!fs::is_directory(fs::symlink_status(dir, ec))) throw_usage(fmt::format("context: no uploaded context '{}'", text));
    return fs::canonical(dir);
  }
  const fs::path dir = text;
  if (!dir.is_absolute()) throw_usage(fmt::format("context: '{}' must be an absolute path", text));
  if (where.roots.empty())
    throw_usage(fmt::format("context: '{}': this server builds only uploaded contexts (POST /v1/contexts); its "
                            "context_roots names no directory a build may use",
                            text));
  const fs::path real = fs::weakly_canonical(dir, ec);
  if (ec || !under_allowed(real, where))
    throw_usage(fmt::format("context: '{}' is not below a directory of context_roots (after '..' and symlinks), or "
                            "it holds or lies in kiln-server's data_dir",
                            text));
  if (!fs::is_directory(real, ec)) throw_usage(fmt::format("context: '{}' is not a directory on the server", text));
  return real;
}

bool context_dir_allowed(const fs::path& dir, const ContextLocations& where) {
  std::error_code ec;
  const fs::path real = fs::weakly_canonical(dir, ec);
  return !ec && real == dir && under_allowed(real, where) && fs::is_directory(real, ec);
}

}  // namespace kiln::server
