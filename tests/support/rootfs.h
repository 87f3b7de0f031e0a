#pragma once
// Small root filesystems assembled from this machine's own binaries, for tests that inspect
// or run an image without building one.
#include <filesystem>
#include <string>
#include <vector>

namespace kiln::testing {

/// /lib -> usr/lib, /lib64 -> usr/lib64, /bin -> usr/bin, /sbin -> usr/sbin, as in Debian
/// bookworm images (merged /usr), so library paths go through a symlinked directory.
void make_merged_usr(const std::filesystem::path& rootfs);

/// Copies the host file at `host_path` (links followed) to `image_path` inside `rootfs`,
/// creating its directories; the mode is kept.
void copy_into(const std::filesystem::path& rootfs, const std::filesystem::path& host_path, const std::string& image_path);

/// The host paths `ldd` names for `binary`: every library and the interpreter.
std::vector<std::string> ldd_paths(const std::filesystem::path& binary);

/// Copies `binary` to `image_path` and every library it loads (and its interpreter) to the
/// same paths as on the host.
void copy_with_libraries(const std::filesystem::path& rootfs, const std::filesystem::path& binary,
                         const std::string& image_path);

}  // namespace kiln::testing
