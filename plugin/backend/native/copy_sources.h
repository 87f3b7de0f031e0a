#pragma once
// COPY and ADD of local files: sources in the build context (globs, directories, .dockerignore)
// turned into layer entries at their destination, with Docker's rules for where things land.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "oci/layer/layer_writer.h"
#include "plugin/dockerfile/dockerfile.h"

namespace kiln::plugin {

struct CopyOptions {
  std::optional<std::uint32_t> chmod;  ///< --chmod: for every copied file and directory (not the destination itself)
  std::uint32_t uid = 0;               ///< --chown, resolved to numbers
  std::uint32_t gid = 0;
  bool owner_given = false;            ///< --chown was given (COPY --from keeps the source's owner otherwise)
};

/// ADD: a source that is a tar archive (plugin/backend/native/add_archive.h), to be unpacked at
/// `destination` (absolute, cleaned) instead of copied.
struct ArchiveSource {
  std::filesystem::path real;  ///< the file in the context
  std::string name;            ///< the source as written
  std::string destination;
  std::size_t position = 0;    ///< how many copied entries come before it (sources stay in order)
};

/// `sources` and `destination` are expanded; `destination` absolute or relative to
/// `working_dir`. Throws kiln::Error(usage) "<where>: ..." for a source outside the context
/// (".." or a symlink leading out), a source that matches nothing (or only ignored files), a
/// source .dockerignore excludes, also through a symbolic link (plugin/backend/native/context_path.h),
/// several sources into a destination not ending in '/'.
/// `is_directory` says whether an image path already is a directory: a single file copied to
/// an existing directory goes into it, as with Docker.
/// `archives` given (ADD): a source file that is a tar archive goes there instead of being
/// copied; files inside a source directory are always copied.
std::vector<oci::LayerEntry> resolve_copy(const std::filesystem::path& context, const DockerIgnore& ignore,
                                          const std::vector<std::string>& sources, const std::string& destination,
                                          const std::string& working_dir, const CopyOptions& options,
                                          const std::string& where,
                                          const std::function<bool(const std::string&)>& is_directory = {},
                                          std::vector<ArchiveSource>* archives = nullptr);

}  // namespace kiln::plugin
