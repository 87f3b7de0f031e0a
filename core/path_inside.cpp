#include "core/path_inside.h"

#include <string>
#include <system_error>

namespace kiln {
namespace {

namespace fs = std::filesystem;

// Where the kernel would land for `path` (absolute): each component that is a symlink is
// followed as it is met, ".." applies to what was reached so far. A dangling symlink is
// followed too: its target is where the file would be once someone creates it. Components
// after a missing one are taken as written. nullopt for a symlink loop.
std::optional<fs::path> real_location(const fs::path& path, int depth) {
  if (depth > 40) return std::nullopt;
  fs::path out = "/";
  for (const fs::path& part : path.relative_path()) {
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      out = out.parent_path();
      continue;
    }
    const fs::path next = out / part;
    std::error_code ec;
    if (fs::is_symlink(fs::symlink_status(next, ec))) {
      const fs::path target = fs::read_symlink(next, ec);
      if (ec) return std::nullopt;
      const auto resolved = real_location(target.is_absolute() ? target : out / target, depth + 1);
      if (!resolved) return std::nullopt;
      out = *resolved;
    } else {
      out = next;
    }
  }
  return out;
}

}  // namespace

std::optional<fs::path> resolve_inside(const fs::path& root, const fs::path& path) {
  const auto real_root = real_location(fs::absolute(root), 0);
  if (!real_root) return std::nullopt;
  const auto real = real_location(path.is_absolute() ? path : fs::absolute(root) / path, 0);
  if (!real) return std::nullopt;
  const std::string r = real_root->string(), p = real->string();
  if (p == r || p.starts_with(r.ends_with('/') ? r : r + "/")) return real;
  return std::nullopt;
}

}  // namespace kiln
