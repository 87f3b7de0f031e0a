#pragma once
// Whiteouts of the OCI layer format (image-spec layer.md): ".wh.<name>" deletes <name> from the
// layers below, ".wh..wh..opq" hides everything below its directory. Whoever merges layers
// (the header-only FilesystemView, the file extraction for COPY --from) reads them the same way.
#include <map>
#include <string>

namespace kiln::oci {

struct Whiteout {
  enum class Kind { none, deletes, opaque };
  Kind kind = Kind::none;
  std::string target;  ///< the path deleted, or the directory made opaque
};

/// What a normalised layer path ("a/.wh.b") says: deletes "a/b"; "a/.wh..wh..opq": opaque "a".
Whiteout whiteout_of(const std::string& path);

/// Removes everything below `path`, and `path` itself unless `keep_path`.
template <typename T>
void erase_tree(std::map<std::string, T>& entries, const std::string& path, bool keep_path) {
  const std::string prefix = path.empty() ? "" : path + "/";
  for (auto it = entries.lower_bound(prefix); it != entries.end() && it->first.starts_with(prefix);)
    it = entries.erase(it);
  if (!keep_path) entries.erase(path);
}

}  // namespace kiln::oci
