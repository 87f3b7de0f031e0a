#pragma once
// The one way kiln reads a whole file into memory. Every file kiln reads may be hostile (a
// Dockerfile, a spec, a kubeconfig, an image layout of unknown origin), so the read is bounded,
// and a FIFO or device is refused rather than read forever.
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace kiln {

/// The bytes of the file at `path` when it can be opened; nullopt when it cannot (absent, not
/// permitted): the caller says what that means. Throws kiln::Error(usage) naming `what` and the
/// path when it is not a regular file or holds more than `limit` bytes, having read at most
/// `limit` + 1 of them.
std::optional<std::string> read_file(const std::filesystem::path& path, std::size_t limit, std::string_view what);

}  // namespace kiln
