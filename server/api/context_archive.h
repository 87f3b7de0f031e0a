#pragma once
// Build contexts as tar streams (libarchive): unpacking an upload safely (no absolute paths, no
// '..', no writing through symlinks) and packing a context directory for a remote engine.
#include <filesystem>
#include <ostream>
#include <string_view>

namespace kiln::server {

/// Unpacks a tar (plain, gzip or zstd: detected) into the existing directory `into`.
/// Throws kiln::Error(usage) naming the entry that cannot be unpacked.
void unpack_context(std::string_view tar, const std::filesystem::path& into);

/// Writes `dir`'s tree as an uncompressed tar (paths relative to `dir`) to `out`.
void pack_context(const std::filesystem::path& dir, std::ostream& out);

}  // namespace kiln::server
