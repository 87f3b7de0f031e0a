#include "verify/driver/layer_archive.h"

#include <archive.h>
#include <archive_entry.h>
#include <fmt/format.h>

#include <algorithm>
#include <string>

#include "core/error.h"

namespace kiln::verify {

void LayerArchive::Free::operator()(archive* a) const { archive_read_free(a); }

LayerArchive::LayerArchive(BlobStream& stream, std::string layer)
    : stream_(stream), layer_(std::move(layer)), archive_(archive_read_new()) {
  if (!archive_) throw_infra("libarchive could not allocate a reader for " + layer_);
  archive_read_support_filter_all(archive_.get());
  archive_read_support_format_tar(archive_.get());
  if (archive_read_open(archive_.get(), this, nullptr, &LayerArchive::read_callback, nullptr) != ARCHIVE_OK)
    fail("opening it");
}

LayerArchive::~LayerArchive() = default;

long LayerArchive::read_callback(archive* a, void* self, const void** buffer) {
  auto* me = static_cast<LayerArchive*>(self);
  try {
    const std::string_view chunk = me->stream_.next();
    *buffer = chunk.data();
    return static_cast<long>(chunk.size());
  } catch (...) {
    // libarchive is C: the exception waits here and fail() rethrows it.
    me->stream_error_ = std::current_exception();
    archive_set_error(a, EIO, "the blob could not be read");
    return -1;
  }
}

void LayerArchive::fail(const std::string& doing) {
  if (stream_error_) std::rethrow_exception(stream_error_);
  const char* why = archive_error_string(archive_.get());
  throw_infra(fmt::format("{}: {}: {}", layer_, doing, why ? why : "unknown libarchive error"));
}

archive_entry* LayerArchive::next() {
  archive_entry* entry = nullptr;
  const int r = archive_read_next_header(archive_.get(), &entry);
  if (r == ARCHIVE_EOF) return nullptr;
  if (r == ARCHIVE_OK || r == ARCHIVE_WARN) return entry;
  fail("reading the next tar header");
}

void LayerArchive::read_data(const std::function<void(const char*, std::size_t)>& sink) {
  la_int64_t position = 0;
  for (;;) {
    const void* block = nullptr;
    std::size_t size = 0;
    la_int64_t offset = 0;
    const int r = archive_read_data_block(archive_.get(), &block, &size, &offset);
    if (r == ARCHIVE_EOF) return;
    if (r != ARCHIVE_OK && r != ARCHIVE_WARN) fail("reading file data");
    // A sparse file's holes arrive as gaps between blocks: they read as zeros.
    static const std::string zeros(64 * 1024, '\0');
    while (position < offset) {
      const auto gap = std::min<la_int64_t>(offset - position, static_cast<la_int64_t>(zeros.size()));
      sink(zeros.data(), static_cast<std::size_t>(gap));
      position += gap;
    }
    sink(static_cast<const char*>(block), size);
    position = offset + static_cast<la_int64_t>(size);
  }
}

std::string LayerArchive::read_prefix(std::size_t size) {
  std::string out(size, '\0');
  std::size_t got = 0;
  while (got < size) {
    const auto r = archive_read_data(archive_.get(), out.data() + got, size - got);
    if (r < 0) fail("reading file data");
    if (r == 0) break;
    got += static_cast<std::size_t>(r);
  }
  out.resize(got);
  return out;
}

void LayerArchive::finish() { stream_.finish(); }

}  // namespace kiln::verify
