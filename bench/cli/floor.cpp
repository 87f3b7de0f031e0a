#include "bench/cli/floor.h"

#include <fmt/format.h>

#include <chrono>
#include <fstream>
#include <memory>

#include "bench/libarchive_compressor.h"
#include "bench/workload.h"
#include "core/error.h"
#include "oci/digest.h"
#include "oci/sha256.h"

namespace kiln::bench {

Sample floor_sample(const std::vector<std::filesystem::path>& files, const oci::CompressionSettings& compression) {
  std::vector<char> buffer(1 << 20);
  const double cpu_start = thread_cpu_seconds();
  const auto start = std::chrono::steady_clock::now();
  oci::Sha256 diff_hash, blob_hash;
  // The compressed stream is hashed as it leaves, as a build hashes its blob.
  std::unique_ptr<LibarchiveCompressor> compressor;
  if (compression.kind != oci::Compression::none)
    compressor = std::make_unique<LibarchiveCompressor>(
        compression.kind == oci::Compression::gzip ? "gzip" : "zstd", compression.level,
        [&](const void* data, std::size_t n) { blob_hash.update(data, n); });
  for (const auto& file : files) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw_usage(fmt::format("floor: cannot read {}", file.string()));
    while (in.read(buffer.data(), static_cast<std::streamsize>(buffer.size())), in.gcount() > 0) {
      const auto n = static_cast<std::size_t>(in.gcount());
      diff_hash.update(buffer.data(), n);
      if (compressor) compressor->write(buffer.data(), n);
    }
  }
  if (compressor) compressor->finish();
  const oci::Digest diff_id = diff_hash.finish(), digest = blob_hash.finish();
  (void)diff_id;
  (void)digest;
  return Sample{.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
                .cpu_seconds = thread_cpu_seconds() - cpu_start,
                .peak_rss_bytes = std::nullopt,
                .bytes_uploaded = std::nullopt};
}

}  // namespace kiln::bench
