#include "verify/driver/rootfs_unpack.h"

#include <archive.h>
#include <archive_entry.h>
#include <fmt/format.h>

#include <memory>
#include <optional>
#include <set>
#include <system_error>

#include "core/error.h"
#include "oci/image/filesystem_view.h"
#include "verify/driver/blob_stream.h"
#include "verify/driver/layer_archive.h"

namespace kiln::verify {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kWhiteout = ".wh.";
constexpr std::string_view kOpaque = ".wh..wh..opq";

struct DiskWriterFree {
  void operator()(archive* a) const { archive_write_free(a); }
};

std::string parent_of(const std::string& key) {
  const auto slash = key.rfind('/');
  return slash == std::string::npos ? "" : key.substr(0, slash);
}

std::string name_of(const std::string& key) {
  const auto slash = key.rfind('/');
  return slash == std::string::npos ? key : key.substr(slash + 1);
}

// Why a path as stored in the tar may not be used, if it may not.
std::optional<std::string> unsafe(std::string_view raw) {
  if (raw.starts_with('/')) return "is an absolute path";
  std::size_t at = 0;
  while (at <= raw.size()) {
    const auto end = std::min(raw.find('/', at), raw.size());
    if (raw.substr(at, end - at) == "..") return "climbs out with \"..\"";
    at = end + 1;
  }
  return std::nullopt;
}

// The first directory on the way to `key` (the last component too when `include_last`) that
// is a symlink on disk: writing there would follow it, perhaps out of the root.
std::optional<std::string> symlink_on_the_way(const fs::path& root, const std::string& key, bool include_last) {
  fs::path at = root;
  std::string walked;
  std::size_t start = 0;
  while (start < key.size()) {
    const auto end = std::min(key.find('/', start), key.size());
    const bool last = end == key.size();
    if (last && !include_last) break;
    walked += (walked.empty() ? "" : "/") + key.substr(start, end - start);
    at /= key.substr(start, end - start);
    std::error_code ec;
    const auto status = fs::symlink_status(at, ec);
    if (ec || !fs::exists(status)) return std::nullopt;  // nothing further exists to follow
    if (fs::is_symlink(status)) return walked;
    start = end + 1;
  }
  return std::nullopt;
}

// Removes what lower layers put at or below `key`, keeping what this layer has written: a
// whiteout or opaque marker acts on the layers below its own, wherever it sits in the tar.
void remove_lower(const fs::path& root, const std::string& key, const std::set<std::string>& written) {
  const fs::path path = root / key;
  std::error_code ec;
  const auto status = fs::symlink_status(path, ec);
  if (ec || !fs::exists(status)) return;
  if (!written.contains(key)) {
    fs::remove_all(path);  // never follows symlinks
    return;
  }
  if (!fs::is_directory(status)) return;
  for (const auto& child : fs::directory_iterator(path))
    remove_lower(root, key + "/" + child.path().filename().string(), written);
}

class LayerUnpacker {
 public:
  LayerUnpacker(const fs::path& root, std::string layer, const UnpackLimits& limits, UnpackReport& report)
      : root_(root), layer_(std::move(layer)), limits_(limits), report_(report), disk_(archive_write_disk_new()) {
    // Paths handed to libarchive are absolute (root + checked key), so NOABSOLUTEPATHS cannot be
    // used; the checks here refuse absolute names before that. Owners stay numeric: no lookup.
    archive_write_disk_set_options(disk_.get(), ARCHIVE_EXTRACT_OWNER | ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME |
                                                    ARCHIVE_EXTRACT_SECURE_SYMLINKS | ARCHIVE_EXTRACT_SECURE_NODOTDOT);
  }

  void apply(LayerArchive& tar, archive_entry* e) {
    const char* raw_name = archive_entry_pathname(e);
    const std::string raw = raw_name ? raw_name : "";
    if (++report_.entries > limits_.max_entries)
      refuse(raw, fmt::format("is past the limit of {} entries", limits_.max_entries));
    if (const auto why = unsafe(raw)) refuse(raw, *why);
    const std::string key = oci::normalise_image_path(raw);
    if (key.empty()) return;  // "./": the root itself
    if (const auto link = symlink_on_the_way(root_, key, false))
      refuse(raw, fmt::format("would be written through the symlink \"{}\"", *link));

    const std::string name = name_of(key);
    if (name == kOpaque) {
      const std::string dir = parent_of(key);
      std::error_code ec;
      if (fs::is_directory(fs::symlink_status(root_ / dir, ec)))
        for (const auto& child : fs::directory_iterator(root_ / dir))
          remove_lower(root_, (dir.empty() ? "" : dir + "/") + child.path().filename().string(), written_);
      return;
    }
    if (name.starts_with(kWhiteout)) {
      const std::string parent = parent_of(key);
      remove_lower(root_, (parent.empty() ? "" : parent + "/") + name.substr(kWhiteout.size()), written_);
      return;
    }
    const auto type = archive_entry_filetype(e);
    if (type == AE_IFCHR || type == AE_IFBLK) {
      report_.skipped.push_back(fmt::format("{}: {}: {} device skipped", layer_, key, type == AE_IFCHR ? "character" : "block"));
      return;
    }
    if (const char* hard = archive_entry_hardlink(e)) {
      if (const auto why = unsafe(hard)) refuse(raw, fmt::format("is a hardlink to \"{}\", which {}", hard, *why));
      const std::string target = oci::normalise_image_path(hard);
      if (const auto link = symlink_on_the_way(root_, target, false))
        refuse(raw, fmt::format("is a hardlink to \"{}\", reached through the symlink \"{}\"", hard, *link));
      archive_entry_set_hardlink(e, (root_ / target).c_str());
    }
    const auto size = archive_entry_size_is_set(e) ? static_cast<std::uint64_t>(archive_entry_size(e)) : 0;
    if (report_.bytes_written + size > limits_.max_bytes)
      refuse(raw, fmt::format("would take the unpacked image past {} bytes", limits_.max_bytes));

    // As container runtimes apply layers: what is there goes, unless both are directories.
    std::error_code ec;
    const auto existing = fs::symlink_status(root_ / key, ec);
    if (!ec && fs::exists(existing) && !(fs::is_directory(existing) && type == AE_IFDIR)) fs::remove_all(root_ / key);

    archive_entry_set_pathname(e, (root_ / key).c_str());
    if (archive_write_header(disk_.get(), e) < ARCHIVE_WARN) fail(raw);
    if (size > 0 && !archive_entry_hardlink(e)) {
      // Through LayerArchive, so a failed download or digest reaches the caller as itself.
      la_int64_t offset = 0;
      tar.read_data([&](const char* data, std::size_t got) {
        if (archive_write_data_block(disk_.get(), data, got, offset) < ARCHIVE_WARN) fail(raw);
        offset += static_cast<la_int64_t>(got);
      });
    }
    if (archive_write_finish_entry(disk_.get()) < ARCHIVE_WARN) fail(raw);
    report_.bytes_written += size;
    written_.insert(key);
  }

  void close() {
    // Directory modes and times are set here, after everything inside them was written.
    if (archive_write_close(disk_.get()) < ARCHIVE_WARN)
      throw_infra(fmt::format("{}: cannot finish unpacking: {}", layer_, archive_error_string(disk_.get())));
  }

 private:
  [[noreturn]] void refuse(const std::string& entry, const std::string& why) {
    throw_infra(fmt::format("{}: entry \"{}\" {}; refusing to unpack the image", layer_, entry, why));
  }
  [[noreturn]] void fail(const std::string& entry) {
    const char* why = archive_error_string(disk_.get());
    throw_infra(fmt::format("{}: cannot unpack entry \"{}\": {}", layer_, entry, why ? why : "unknown error"));
  }

  const fs::path& root_;
  std::string layer_;
  const UnpackLimits& limits_;
  UnpackReport& report_;
  std::unique_ptr<archive, DiskWriterFree> disk_;
  std::set<std::string> written_;  ///< keys this layer wrote
};

}  // namespace

UnpackReport unpack_rootfs(const std::shared_ptr<oci::BlobReader>& blobs, const std::vector<LayerRef>& layers,
                           const fs::path& root, const UnpackLimits& limits) {
  // No symlink in the root's own path either: libarchive's symlink check walks it too.
  const fs::path base = fs::canonical(root);
  UnpackReport report;
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const std::string name = fmt::format("layer {} {} ({})", i, layers[i].digest.to_string(), blobs->describe());
    BlobStream stream(blobs, layers[i].digest, layers[i].size);
    LayerArchive tar(stream, name);
    LayerUnpacker unpacker(base, name, limits, report);
    while (archive_entry* e = tar.next()) unpacker.apply(tar, e);
    unpacker.close();
    tar.finish();
  }
  return report;
}

}  // namespace kiln::verify
