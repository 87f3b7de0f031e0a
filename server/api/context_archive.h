#pragma once
// Build contexts as tar streams (libarchive): unpacking an upload safely and within bounds (no
// absolute paths, no '..', no writing through symlinks, no devices or FIFOs, no setuid bits, a
// cap on entries and unpacked bytes) and packing a context directory for a remote engine.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <ostream>
#include <string_view>

namespace kiln::server {

struct UnpackLimits {
  std::int64_t max_bytes = std::int64_t{1} << 30;  ///< file bytes once unpacked (`max_context_bytes`)
  std::int64_t max_entries = 100000;               ///< tar entries (`max_context_entries`)
};

/// Fills `buffer` with up to `size` bytes of the upload; returns 0 at its end. May throw: the
/// unpack then stops and rethrows it.
using ReadChunk = std::function<std::size_t(char* buffer, std::size_t size)>;

/// Unpacks a tar (plain, gzip or zstd: detected) read through `read` into the existing
/// directory `into`. Regular files, directories, symlinks and hard links only; setuid, setgid
/// and sticky bits are dropped. Throws kiln::Error(usage) naming the entry at fault or the
/// limit passed, before that entry's data is written.
void unpack_context(const ReadChunk& read, const std::filesystem::path& into, const UnpackLimits& limits);
/// The same, from a tar in memory.
void unpack_context(std::string_view tar, const std::filesystem::path& into, const UnpackLimits& limits = {});

/// Writes `dir`'s tree as an uncompressed tar (paths relative to `dir`) to `out`.
void pack_context(const std::filesystem::path& dir, std::ostream& out);

}  // namespace kiln::server
