#pragma once
// Layer blobs written with libarchive inside the tests (so they can hold what kiln's own layer
// writer refuses to: whiteouts, hardlinks, device nodes, "../" paths), and an OCI image layout
// directory to read them from through the real oci::layout_blob_reader.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "oci/digest.h"
#include "oci/layer/archive_handle.h"
#include "oci/sha256.h"
#include "verify/driver/layer_index.h"

namespace kiln::verify::testing {

struct TarEntry {
  enum class Kind { file, directory, symlink, hardlink, char_device };
  Kind kind = Kind::file;
  std::string path;
  std::string data;  ///< file contents
  std::string link;  ///< symlink or hardlink target
  unsigned mode = 0644;
  unsigned uid = 0;
  unsigned gid = 0;
};

inline TarEntry file(std::string path, std::string data, unsigned mode = 0644) {
  return {.kind = TarEntry::Kind::file, .path = std::move(path), .data = std::move(data), .link = {}, .mode = mode};
}
inline TarEntry dir(std::string path, unsigned mode = 0755) {
  return {.kind = TarEntry::Kind::directory, .path = std::move(path), .data = {}, .link = {}, .mode = mode};
}
inline TarEntry symlink(std::string path, std::string target) {
  return {.kind = TarEntry::Kind::symlink, .path = std::move(path), .data = {}, .link = std::move(target), .mode = 0777};
}
inline TarEntry hardlink(std::string path, std::string target) {
  return {.kind = TarEntry::Kind::hardlink, .path = std::move(path), .data = {}, .link = std::move(target), .mode = 0644};
}
inline TarEntry whiteout(const std::string& dir_path, const std::string& name) {
  return file((dir_path.empty() ? "" : dir_path + "/") + ".wh." + name, "");
}
inline TarEntry opaque(const std::string& dir_path) { return file(dir_path + "/.wh..wh..opq", ""); }

enum class Compress { none, gzip, zstd };

inline std::string write_tar(const std::vector<TarEntry>& entries, Compress compress = Compress::gzip) {
  std::string out;
  oci::WriteArchive a(archive_write_new());
  archive_write_set_format_pax_restricted(a.get());
  if (compress == Compress::gzip) archive_write_add_filter_gzip(a.get());
  if (compress == Compress::zstd) archive_write_add_filter_zstd(a.get());
  archive_write_set_bytes_in_last_block(a.get(), 1);
  archive_write_open(
      a.get(), &out, nullptr,
      [](archive*, void* sink, const void* data, size_t size) -> la_ssize_t {
        static_cast<std::string*>(sink)->append(static_cast<const char*>(data), size);
        return static_cast<la_ssize_t>(size);
      },
      nullptr);
  for (const TarEntry& e : entries) {
    oci::ArchiveEntry h(archive_entry_new());
    archive_entry_set_pathname(h.get(), e.path.c_str());
    archive_entry_set_uid(h.get(), e.uid);
    archive_entry_set_gid(h.get(), e.gid);
    archive_entry_set_perm(h.get(), e.mode);
    switch (e.kind) {
      case TarEntry::Kind::file:
        archive_entry_set_filetype(h.get(), AE_IFREG);
        archive_entry_set_size(h.get(), static_cast<la_int64_t>(e.data.size()));
        break;
      case TarEntry::Kind::directory: archive_entry_set_filetype(h.get(), AE_IFDIR); break;
      case TarEntry::Kind::symlink:
        archive_entry_set_filetype(h.get(), AE_IFLNK);
        archive_entry_set_symlink(h.get(), e.link.c_str());
        break;
      case TarEntry::Kind::hardlink:
        archive_entry_set_filetype(h.get(), AE_IFREG);
        archive_entry_set_hardlink(h.get(), e.link.c_str());
        archive_entry_set_size(h.get(), 0);
        break;
      case TarEntry::Kind::char_device:
        archive_entry_set_filetype(h.get(), AE_IFCHR);
        archive_entry_set_rdevmajor(h.get(), 1);
        archive_entry_set_rdevminor(h.get(), 3);
        break;
    }
    archive_write_header(a.get(), h.get());
    if (!e.data.empty()) archive_write_data(a.get(), e.data.data(), e.data.size());
  }
  archive_write_close(a.get());
  return out;
}

/// An uncompressed tar of one file `name` whose header claims `declared` bytes while one byte
/// follows: the size field (octal, offset 124) and the header checksum (offset 148) are
/// rewritten by hand.
inline std::string tar_declaring(const std::string& name, std::uint64_t declared) {
  std::string tar = write_tar({file(name, "x")}, Compress::none);
  char field[13];
  std::snprintf(field, sizeof field, "%011llo", static_cast<unsigned long long>(declared));
  tar.replace(124, 12, std::string(field, 11) + '\0');
  tar.replace(148, 8, std::string(8, ' '));
  unsigned sum = 0;
  for (int i = 0; i < 512; ++i) sum += static_cast<unsigned char>(tar[static_cast<std::size_t>(i)]);
  char checksum[8];
  std::snprintf(checksum, sizeof checksum, "%06o", sum);
  tar.replace(148, 8, std::string(checksum, 6) + '\0' + ' ');
  return tar;
}

/// An OCI image layout (only blobs/sha256/) holding layer blobs.
class LayoutDir {
 public:
  explicit LayoutDir(std::filesystem::path dir) : dir_(std::move(dir)) {
    std::filesystem::create_directories(dir_ / "blobs" / "sha256");
  }
  LayerRef add(const std::string& blob) {
    const oci::Digest digest = oci::Sha256::of(blob);
    std::ofstream(dir_ / "blobs" / "sha256" / digest.hex(), std::ios::binary) << blob;
    return {.digest = digest, .size = static_cast<std::int64_t>(blob.size())};
  }
  std::string path() const { return dir_.string(); }

 private:
  std::filesystem::path dir_;
};

}  // namespace kiln::verify::testing
