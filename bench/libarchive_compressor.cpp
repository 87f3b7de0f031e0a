#include "bench/libarchive_compressor.h"

#include <archive_entry.h>
#include <fmt/format.h>

#include <string>

#include "core/error.h"

namespace kiln::bench {

LibarchiveCompressor::LibarchiveCompressor(std::string_view filter, int level, Sink sink, int zstd_threads)
    : sink_(std::move(sink)), archive_(archive_write_new()) {
  archive* a = archive_.get();
  archive_write_set_format_raw(a);
  std::string options;
  if (filter == "gzip") {
    archive_write_add_filter_gzip(a);
    options = fmt::format("gzip:compression-level={},gzip:!timestamp", level);
  } else if (filter == "zstd") {
    archive_write_add_filter_zstd(a);
    // No threads option leaves zstd's single-threaded mode.
    options = fmt::format("zstd:compression-level={}", level);
    if (zstd_threads > 0) options += fmt::format(",zstd:threads={}", zstd_threads);
  } else {
    throw_usage(fmt::format("no libarchive compressor for '{}' (gzip or zstd)", filter));
  }
  if (archive_write_set_options(a, options.c_str()) != ARCHIVE_OK)
    throw_usage(fmt::format("setting compression_level: {}", archive_error_string(a)));
  archive_write_set_bytes_per_block(a, 0);  // every piece straight to the sink, no padding
  archive_write_open(a, this, nullptr, [](archive*, void* self, const void* data, size_t n) -> la_ssize_t {
    static_cast<LibarchiveCompressor*>(self)->sink_(data, n);
    return static_cast<la_ssize_t>(n);
  }, nullptr);
  std::unique_ptr<archive_entry, decltype(&archive_entry_free)> entry(archive_entry_new(), archive_entry_free);
  archive_entry_set_filetype(entry.get(), AE_IFREG);
  archive_entry_set_pathname(entry.get(), "layer");
  archive_write_header(a, entry.get());
}

LibarchiveCompressor::~LibarchiveCompressor() = default;

void LibarchiveCompressor::write(const void* data, std::size_t size) { archive_write_data(archive_.get(), data, size); }

void LibarchiveCompressor::finish() { archive_write_close(archive_.get()); }

}  // namespace kiln::bench
