#pragma once
// The merged file tree of an image's layers, headers only: each layer read once, top of the
// stack last, whiteouts applied (".wh.<name>" deletes a lower path, ".wh..wh..opq" hides a
// directory's lower contents). What a build needs to know about paths it writes under.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "oci/json.h"
#include "oci/registry/client.h"

namespace kiln::oci {

struct FileInfo {
  enum class Type { file, directory, symlink, hardlink, other };
  Type type = Type::file;
  std::uint32_t mode = 0;  ///< permission bits (07777)
  std::uint32_t uid = 0;
  std::uint32_t gid = 0;
  std::int64_t size = 0;
  std::string link_target;  ///< symlink or hardlink target as stored
  friend bool operator==(const FileInfo&, const FileInfo&) = default;
};

class FilesystemView {
 public:
  /// Downloads and reads every layer of `manifest` from `repository`.
  static FilesystemView of_image(RegistryClient& client, const std::string& repository, const Json& manifest);

  /// Applies one layer blob (any compression libarchive reads) on top of the view.
  void apply_layer(const std::string& blob_path);
  /// Adds or replaces one entry (a layer kiln writes itself).
  void put(std::string_view path, const FileInfo& info);

  /// The entry at `path` ("/usr/bin", "usr/bin/" alike), symlinks not followed.
  std::optional<FileInfo> stat(std::string_view path) const;
  std::size_t size() const { return entries_.size(); }

 private:
  std::map<std::string, FileInfo> entries_;  ///< "usr/bin", no leading or trailing '/'
};

/// "/usr//bin/" → "usr/bin"; "/" → "".
std::string normalise_image_path(std::string_view path);

}  // namespace kiln::oci
