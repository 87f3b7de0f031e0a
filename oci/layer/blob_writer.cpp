#include "oci/layer/blob_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <system_error>
#include <utility>

#include "core/error.h"

namespace kiln::oci {

BlobWriter::RemoveUnlessKept::~RemoveUnlessKept() {
  if (keep || path.empty()) return;
  std::error_code ignored;
  std::filesystem::remove(path, ignored);
}

BlobWriter::Fd::~Fd() {
  if (fd >= 0) ::close(fd);
}

BlobWriter::BlobWriter(const std::filesystem::path& path, const CompressionSettings& settings, BlobObserver* observer)
    : observer_(observer) {
  // A level out of range is refused by the compressor's constructor, and ~RemoveUnlessKept
  // then removes the file created here.
  fd_.fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd_.fd < 0) throw_infra("cannot create layer blob '" + path.string() + "': " + std::strerror(errno));
  file_.path = path;
  const auto emit_to_file = [this](const void* data, std::size_t size) { emit(data, size); };
  // Both compressors run on every core and give bytes that do not depend on how many there
  // are: see parallel_gzip.h and zstd_stream.h.
  if (settings.kind == Compression::gzip)
    gzip_ = std::make_unique<ParallelGzip>(ParallelGzip::Options{.level = settings.level}, emit_to_file);
  else if (settings.kind == Compression::zstd)
    zstd_ = std::make_unique<ZstdStream>(ZstdStream::Options{.level = settings.level}, emit_to_file);
}

void BlobWriter::write(const void* data, std::size_t size) {
  if (gzip_) return gzip_->write(data, size);
  if (zstd_) return zstd_->write(data, size);
  emit(data, size);
}

BlobWriter::Result BlobWriter::finish() {
  // The compressor's last bytes (gzip trailer, zstd epilogue) go through emit() too, so every
  // byte is hashed before the digest is taken.
  if (gzip_) gzip_->finish();
  if (zstd_) zstd_->finish();
  gzip_.reset();
  zstd_.reset();
  const int fd = std::exchange(fd_.fd, -1);
  if (::close(fd) != 0) throw_infra("cannot write layer blob '" + file_.path.string() + "': " + std::strerror(errno));
  file_.keep = true;
  return Result{.digest = hash_.finish(), .size = size_};
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

}  // namespace kiln::oci
