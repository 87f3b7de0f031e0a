#include "oci/layer/blob_writer.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <thread>
#include <algorithm>
#include <system_error>
#include <utility>

#include "core/error.h"

namespace kiln::oci {
namespace {

// libarchive hands the callback whole blocks of this size, so the file sees few, large
// write(2) calls without a second buffer here.
constexpr int kFileBlock = 1 << 20;

std::string filter_options(const CompressionSettings& settings) {
  const std::string level = std::to_string(settings.level);
  switch (settings.kind) {
    case Compression::none: return "";
    case Compression::gzip: return "";  // ParallelGzip, not libarchive
    // zstd's multi-threaded mode (nbWorkers >= 1) gives the same bytes for any worker count
    // (checked: 1, 2 and 4 workers agree), but not the same as single-threaded mode
    // (threads=0). So always use workers, as many as there are cores: the digest does not
    // depend on the machine, and compression runs beside tar, hashing and upload.
    case Compression::zstd:
      return "zstd:compression-level=" + level +
             ",zstd:threads=" + std::to_string(std::max(1u, std::thread::hardware_concurrency()));
  }
  return "";
}

void check_level(const CompressionSettings& settings) {
  const auto out_of_range = [&](const char* name, int max) {
    throw_usage(std::string(name) + " compression level " + std::to_string(settings.level) +
                " is out of range 1-" + std::to_string(max));
  };
  if (settings.kind == Compression::gzip && (settings.level < 1 || settings.level > 9)) out_of_range("gzip", 9);
  if (settings.kind == Compression::zstd && (settings.level < 1 || settings.level > 19)) out_of_range("zstd", 19);
}

}  // namespace

BlobWriter::RemoveUnlessKept::~RemoveUnlessKept() {
  if (keep || path.empty()) return;
  std::error_code ignored;
  std::filesystem::remove(path, ignored);
}

BlobWriter::Fd::~Fd() {
  if (fd >= 0) ::close(fd);
}

void BlobWriter::ArchiveFree::operator()(struct archive* a) const {
  // Without fail(), free() would close an unfinished archive and flush into a half-written
  // file; after a successful close it is a no-op.
  archive_write_fail(a);
  archive_write_free(a);
}

BlobWriter::BlobWriter(const std::filesystem::path& path, const CompressionSettings& settings, BlobObserver* observer)
    : observer_(observer) {
  check_level(settings);
  if (settings.kind == Compression::gzip) {
    fd_.fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd_.fd < 0) throw_infra("cannot create layer blob '" + path.string() + "': " + std::strerror(errno));
    file_.path = path;
    // Blocks of a fixed size on all cores: see parallel_gzip.h for why the bytes do not
    // depend on the machine.
    gzip_ = std::make_unique<ParallelGzip>(ParallelGzip::Options{.level = settings.level},
                                           [this](const void* data, std::size_t size) { emit(data, size); });
    return;
  }
  archive_.reset(archive_write_new());
  if (!archive_) throw_infra("libarchive: out of memory");
  struct archive* a = archive_.get();
  // "raw" writes the data of its single entry as is: here it only carries the filter chain.
  int r = archive_write_set_format_raw(a);
  if (r == ARCHIVE_OK && settings.kind == Compression::zstd) r = archive_write_add_filter_zstd(a);
  const std::string options = filter_options(settings);
  if (r == ARCHIVE_OK && !options.empty()) r = archive_write_set_options(a, options.c_str());
  if (r == ARCHIVE_OK) r = archive_write_set_bytes_per_block(a, kFileBlock);
  // Pad the last block to a multiple of 1 byte, i.e. not at all: the blob ends where the
  // compressed stream ends.
  if (r == ARCHIVE_OK) r = archive_write_set_bytes_in_last_block(a, 1);
  if (r != ARCHIVE_OK) rethrow_or_fail("setting up the layer compressor");

  fd_.fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd_.fd < 0) throw_infra("cannot create layer blob '" + path.string() + "': " + std::strerror(errno));
  file_.path = path;

  if (archive_write_open(a, this, nullptr, &BlobWriter::on_write, nullptr) != ARCHIVE_OK)
    rethrow_or_fail("opening the layer compressor");
  archive_entry* entry = archive_entry_new();
  archive_entry_set_filetype(entry, AE_IFREG);
  archive_entry_set_pathname(entry, "layer.tar");
  r = archive_write_header(a, entry);
  archive_entry_free(entry);
  if (r != ARCHIVE_OK) rethrow_or_fail("starting the layer compressor");
}

void BlobWriter::write(const void* data, std::size_t size) {
  if (gzip_) return gzip_->write(data, size);
  const la_ssize_t written = archive_write_data(archive_.get(), data, size);
  if (written < 0 || static_cast<std::size_t>(written) != size) rethrow_or_fail("compressing the layer");
}

BlobWriter::Result BlobWriter::finish() {
  // close() flushes the compressor (gzip trailer, zstd epilogue) and the last partial block
  // through on_write, so every byte is hashed before the digest is taken.
  if (gzip_) {
    gzip_->finish();
    gzip_.reset();
  } else {
    if (archive_write_close(archive_.get()) != ARCHIVE_OK) rethrow_or_fail("finishing the layer compressor");
    archive_.reset();
  }
  const int fd = std::exchange(fd_.fd, -1);
  if (::close(fd) != 0) throw_infra("cannot write layer blob '" + file_.path.string() + "': " + std::strerror(errno));
  file_.keep = true;
  return Result{.digest = hash_.finish(), .size = size_};
}

ssize_t BlobWriter::on_write(struct archive*, void* self, const void* data, std::size_t size) {
  auto* writer = static_cast<BlobWriter*>(self);
  // An exception must not unwind through libarchive's C frames: keep it for rethrow_or_fail().
  try {
    writer->emit(data, size);
    return static_cast<ssize_t>(size);
  } catch (...) {
    writer->callback_error_ = std::current_exception();
    return -1;
  }
}

void BlobWriter::emit(const void* data, std::size_t size) {
  hash_.update(data, size);
  const char* p = static_cast<const char*>(data);
  std::size_t left = size;
  while (left > 0) {
    const ssize_t n = ::write(fd_.fd, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_infra("cannot write layer blob '" + file_.path.string() + "': " + std::strerror(errno));
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  size_ += static_cast<std::int64_t>(size);
  if (observer_) observer_->on_blob_bytes(data, size);
}

void BlobWriter::rethrow_or_fail(const char* what) {
  if (callback_error_) std::rethrow_exception(std::exchange(callback_error_, nullptr));
  const char* detail = archive_ ? archive_error_string(archive_.get()) : nullptr;
  throw_infra(std::string("libarchive: ") + what + ": " + (detail ? detail : "unknown error"));
}

}  // namespace kiln::oci
