#pragma once
// ADD of a local tar archive. Docker unpacks a source file at the destination, as `tar -x`
// would, when its content (not its name) is a tar, plain or compressed with gzip, bzip2, xz or
// zstd; any other file is copied as it is, and so is everything fetched from a URL. The
// archive comes from the repository being built, which may be hostile: its entries stay under
// the destination, and the number of entries and the bytes unpacked have a bound.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "oci/layer/layer_writer.h"

namespace kiln::plugin {

/// What the ADDed archives of one build may unpack, all together: far above real archives,
/// below what fills a CI runner's disk (a few kilobytes of xz can declare terabytes of zeros).
struct ArchiveBudget {
  std::int64_t entries = 1'000'000;
  std::int64_t bytes = std::int64_t{8} << 30;
};

/// Whether ADD unpacks `file`: it is a regular file whose first tar header reads, after
/// decompression. An empty tar (only end-of-archive blocks) is not one, as with Docker.
bool is_tar_archive(const std::filesystem::path& file);

/// The archive's entries as layer entries under `destination` (an absolute image path, the
/// directory itself not included), with the owners, modes and link targets the archive gives;
/// file contents are written to files under `scratch`. A hard link becomes a copy of the file
/// it links to. Throws kiln::Error(usage), "<where>: ADD <name>: ..." first, for an entry that
/// climbs out of the destination, a hard link to nothing unpacked before it, a device, FIFO or
/// socket, a whiteout name (.wh.*), file capabilities (security.capability), a name or link
/// target longer than 4096 bytes, a corrupt archive, and for going past `budget` (which is
/// spent).
std::vector<oci::LayerEntry> unpack_archive(const std::filesystem::path& file, const std::string& name,
                                            const std::string& destination, const std::filesystem::path& scratch,
                                            ArchiveBudget& budget, const std::string& where);

}  // namespace kiln::plugin
