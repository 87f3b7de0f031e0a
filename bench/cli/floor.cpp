#include "bench/cli/floor.h"

#include <archive.h>
#include <archive_entry.h>
#include <fmt/format.h>
#include <sys/resource.h>

#include <chrono>
#include <fstream>
#include <memory>

#include "core/error.h"
#include "oci/digest.h"
#include "oci/sha256.h"

namespace kiln::bench {
namespace {

struct ArchiveFree {
  void operator()(archive* a) const { archive_write_free(a); }
};

double thread_cpu_seconds() {
  rusage r{};
  getrusage(RUSAGE_THREAD, &r);
  const auto s = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
  return s(r.ru_utime) + s(r.ru_stime);
}

// libarchive's filters behind the raw format, as native_build_bench.cpp: no tar headers (a
// few hundred bytes), only the bytes' compression; the compressed stream is hashed as it leaves.
std::unique_ptr<archive, ArchiveFree> open_compressor(const oci::CompressionSettings& compression, oci::Sha256& blob_hash) {
  std::unique_ptr<archive, ArchiveFree> a(archive_write_new());
  archive_write_set_format_raw(a.get());
  int r = ARCHIVE_OK;
  if (compression.kind == oci::Compression::gzip) {
    archive_write_add_filter_gzip(a.get());
    r = archive_write_set_options(a.get(), fmt::format("gzip:compression-level={},gzip:!timestamp", compression.level).c_str());
  } else if (compression.kind == oci::Compression::zstd) {
    archive_write_add_filter_zstd(a.get());  // no threads option: zstd's single-threaded mode
    r = archive_write_set_options(a.get(), fmt::format("zstd:compression-level={}", compression.level).c_str());
  }
  if (r != ARCHIVE_OK) throw_usage(fmt::format("setting compression_level: {}", archive_error_string(a.get())));
  archive_write_set_bytes_per_block(a.get(), 0);
  archive_write_open(a.get(), &blob_hash, nullptr, [](archive*, void* hash, const void* data, size_t n) -> la_ssize_t {
    static_cast<oci::Sha256*>(hash)->update(data, n);
    return static_cast<la_ssize_t>(n);
  }, nullptr);
  std::unique_ptr<archive_entry, decltype(&archive_entry_free)> entry(archive_entry_new(), archive_entry_free);
  archive_entry_set_filetype(entry.get(), AE_IFREG);
  archive_entry_set_pathname(entry.get(), "layer");
  archive_write_header(a.get(), entry.get());
  return a;
}

}  // namespace

Sample floor_sample(const std::vector<std::filesystem::path>& files, const oci::CompressionSettings& compression) {
  std::vector<char> buffer(1 << 20);
  const double cpu_start = thread_cpu_seconds();
  const auto start = std::chrono::steady_clock::now();
  oci::Sha256 diff_hash, blob_hash;
  std::unique_ptr<archive, ArchiveFree> compressor;
  if (compression.kind != oci::Compression::none) compressor = open_compressor(compression, blob_hash);
  for (const auto& file : files) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw_usage(fmt::format("floor: cannot read {}", file.string()));
    while (in.read(buffer.data(), static_cast<std::streamsize>(buffer.size())), in.gcount() > 0) {
      const auto n = static_cast<std::size_t>(in.gcount());
      diff_hash.update(buffer.data(), n);
      if (compressor) archive_write_data(compressor.get(), buffer.data(), n);
    }
  }
  if (compressor) archive_write_close(compressor.get());
  const oci::Digest diff_id = diff_hash.finish(), digest = blob_hash.finish();
  (void)diff_id;
  (void)digest;
  return Sample{.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
                .cpu_seconds = thread_cpu_seconds() - cpu_start,
                .peak_rss_bytes = std::nullopt,
                .bytes_uploaded = std::nullopt};
}

}  // namespace kiln::bench
