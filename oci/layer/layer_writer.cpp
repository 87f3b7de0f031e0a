#include "oci/layer/layer_writer.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <exception>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/error.h"
#include "oci/layer/archive_handle.h"
#include "oci/layer/blob_writer.h"
#include "oci/layer/layer_entries.h"
#include "oci/layer/utf8_locale.h"
#include "oci/sha256.h"

namespace kiln::oci {
namespace {

// File contents are streamed in pieces of this size: a 1 GB binary costs 1 MiB of memory.
constexpr std::size_t kReadChunk = 1 << 20;
// The tar stage hands its output to the compressor in blocks of this size. The value does not
// change the tar bytes, because the last block is not padded (bytes_in_last_block = 1).
constexpr int kTarBlock = 64 * 1024;

// An open regular source file with its size, read once for the header and once for data.
class SourceFile {
 public:
  explicit SourceFile(const LayerEntry& entry) : name_(entry.source.string()) {
    const auto fail = [&](const std::string& why) {
      throw_usage("layer entry '" + entry.path + "': cannot read source file '" + name_ + "': " + why);
    };
    fd_ = ::open(entry.source.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) fail(std::strerror(errno));
    struct stat st {};
    if (::fstat(fd_, &st) != 0) fail(std::strerror(errno));
    if (!S_ISREG(st.st_mode)) fail("not a regular file");
    size_ = st.st_size;
  }
  ~SourceFile() { ::close(fd_); }
  SourceFile(const SourceFile&) = delete;
  SourceFile& operator=(const SourceFile&) = delete;

  std::int64_t size() const { return size_; }
  /// Reads up to `capacity` bytes; throws kiln::Error(infra) on a read error or early end
  /// (the file shrank after its size went into the tar header).
  std::size_t read(char* buffer, std::size_t capacity) {
    for (;;) {
      const ssize_t n = ::read(fd_, buffer, capacity);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw_infra("cannot read source file '" + name_ + "': " + std::strerror(errno));
      if (n == 0) throw_infra("source file '" + name_ + "' shrank while it was being written to the layer");
      return static_cast<std::size_t>(n);
    }
  }

 private:
  std::string name_;
  int fd_ = -1;
  std::int64_t size_ = 0;
};

struct FailAndFree {
  void operator()(struct archive* a) const {
    archive_write_fail(a);  // after an error, free() must not try to write the trailer
    archive_write_free(a);
  }
};

// The tar stage: pax_restricted entries → SHA-256 (diff_id) → BlobWriter.
class TarWriter {
 public:
  explicit TarWriter(BlobWriter& blob) : blob_(blob), archive_(archive_write_new()) {
    if (!archive_) throw_infra("libarchive: out of memory");
    struct archive* a = archive_.get();
    // pax_restricted is plain ustar unless an entry needs pax records (non-ASCII or long
    // names); full "pax" would add records such as sub-second mtimes.
    int r = archive_write_set_format_pax_restricted(a);
    if (r == ARCHIVE_OK) r = archive_write_set_bytes_per_block(a, kTarBlock);
    // The archive then ends with the two 512-byte zero blocks and nothing else: the default
    // would pad it to a 10240-byte record, and the diff_id would depend on that choice.
    if (r == ARCHIVE_OK) r = archive_write_set_bytes_in_last_block(a, 1);
    if (r == ARCHIVE_OK) r = archive_write_open(a, this, nullptr, &TarWriter::on_write, nullptr);
    if (r != ARCHIVE_OK) rethrow_or_fail("opening the layer tar");
  }

  /// False when `still_wanted` said no before the entry was complete; `progress` counts the
  /// source bytes read.
  bool add(const LayerEntry& entry, std::int64_t mtime, std::vector<char>& buffer, const StillWanted& still_wanted,
           LayerProgress& progress) {
    ArchiveEntry header(archive_entry_new());
    archive_entry_set_pathname_utf8(header.get(), entry.path.c_str());
    archive_entry_set_uid(header.get(), entry.uid);
    archive_entry_set_gid(header.get(), entry.gid);
    archive_entry_set_mtime(header.get(), mtime, 0);
    std::unique_ptr<SourceFile> source;
    switch (entry.type) {
      case LayerEntry::Type::directory:
        archive_entry_set_filetype(header.get(), AE_IFDIR);
        archive_entry_set_perm(header.get(), entry.mode & 07777);
        break;
      case LayerEntry::Type::symlink:
        // Linux ignores a symlink's mode; 0777 is what every tar made on Linux records.
        archive_entry_set_filetype(header.get(), AE_IFLNK);
        archive_entry_set_perm(header.get(), 0777);
        archive_entry_set_symlink_utf8(header.get(), entry.link_target.c_str());
        break;
      case LayerEntry::Type::file:
        archive_entry_set_filetype(header.get(), AE_IFREG);
        archive_entry_set_perm(header.get(), entry.mode & 07777);
        if (!entry.source.empty()) source = std::make_unique<SourceFile>(entry);
        archive_entry_set_size(header.get(), source ? source->size() : static_cast<std::int64_t>(entry.content.size()));
        break;
    }
    if (archive_write_header(archive_.get(), header.get()) != ARCHIVE_OK)
      rethrow_or_fail("writing the tar header of '" + entry.path + "'");
    if (entry.type != LayerEntry::Type::file) return true;
    if (!source) {
      write_data(entry.content.data(), entry.content.size());
      return true;
    }
    for (std::int64_t left = source->size(); left > 0;) {
      if (still_wanted && !still_wanted(progress)) return false;
      const std::size_t want = static_cast<std::size_t>(std::min<std::int64_t>(left, buffer.size()));
      const std::size_t got = source->read(buffer.data(), want);
      write_data(buffer.data(), got);
      left -= static_cast<std::int64_t>(got);
      progress.bytes_read += static_cast<std::int64_t>(got);
    }
    return true;
  }

  /// Ends a layer no longer wanted: nothing more reaches the blob. The archive is still closed,
  /// because libarchive frees its block buffer only on a close, never on a failed archive.
  void abandon() {
    discarding_ = true;
    archive_write_close(archive_.get());
  }

  /// Writes the end-of-archive blocks and returns the diff_id.
  Digest finish() {
    if (archive_write_close(archive_.get()) != ARCHIVE_OK) rethrow_or_fail("finishing the layer tar");
    return diff_id_.finish();
  }

 private:
  void write_data(const char* data, std::size_t size) {
    const la_ssize_t written = archive_write_data(archive_.get(), data, size);
    if (written < 0 || static_cast<std::size_t>(written) != size) rethrow_or_fail("writing the layer tar");
  }

  static la_ssize_t on_write(struct archive*, void* self, const void* data, std::size_t size) {
    auto* tar = static_cast<TarWriter*>(self);
    if (tar->discarding_) return static_cast<la_ssize_t>(size);
    // An exception must not unwind through libarchive's C frames: keep it for rethrow_or_fail().
    try {
      tar->diff_id_.update(data, size);
      tar->blob_.write(data, size);
      return static_cast<la_ssize_t>(size);
    } catch (...) {
      tar->callback_error_ = std::current_exception();
      return -1;
    }
  }

  void rethrow_or_fail(const std::string& what) {
    if (callback_error_) std::rethrow_exception(std::exchange(callback_error_, nullptr));
    const char* detail = archive_error_string(archive_.get());
    throw_infra("libarchive: " + what + ": " + (detail ? detail : "unknown error"));
  }

  BlobWriter& blob_;
  std::unique_ptr<struct archive, FailAndFree> archive_;
  Sha256 diff_id_;
  std::exception_ptr callback_error_;
  bool discarding_ = false;
};

}  // namespace

std::optional<WrittenLayer> write_layer_unless(const LayerSpec& spec, const std::filesystem::path& blob_path,
                                               BlobObserver* observer, const StillWanted& still_wanted) {
  const std::vector<LayerEntry> entries = plan_layer_entries(spec.entries);
  // Fail on an unreadable source before the blob file exists.
  LayerProgress progress;
  for (const LayerEntry& entry : entries)
    if (entry.type == LayerEntry::Type::file && !entry.source.empty()) progress.bytes_total += SourceFile(entry).size();

  const ScopedUtf8Locale utf8;  // see utf8_locale.h: libarchive 3.6.2 needs it for UTF-8 names
  BlobWriter blob(blob_path, spec.compression, observer);
  std::optional<Digest> diff_id = [&]() -> std::optional<Digest> {
    TarWriter tar(blob);
    std::vector<char> buffer(kReadChunk);
    for (const LayerEntry& entry : entries)
      if (!tar.add(entry, spec.mtime, buffer, still_wanted, progress)) {
        tar.abandon();
        return std::nullopt;  // ~BlobWriter removes the file
      }
    return tar.finish();
  }();
  if (!diff_id) return std::nullopt;
  const BlobWriter::Result result = blob.finish();
  return WrittenLayer{.digest = result.digest,
                      .diff_id = std::move(*diff_id),
                      .size = result.size,
                      .blob_path = blob_path,
                      .compression = spec.compression.kind};
}

WrittenLayer write_layer(const LayerSpec& spec, const std::filesystem::path& blob_path, BlobObserver* observer) {
  return *write_layer_unless(spec, blob_path, observer, nullptr);
}

}  // namespace kiln::oci
