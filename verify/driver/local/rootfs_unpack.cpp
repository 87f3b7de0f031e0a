#include "verify/driver/local/rootfs_unpack.h"

#include <archive.h>
#include <archive_entry.h>
#include <fmt/format.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <optional>
#include <set>
#include <system_error>

#include "core/error.h"
#include "oci/image/filesystem_view.h"
#include "oci/image/whiteout.h"
#include "oci/layer/archive_handle.h"
#include "verify/driver/blob_stream.h"
#include "verify/driver/layer_archive.h"

namespace kiln::verify {
namespace {

namespace fs = std::filesystem;

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

// Directories of the root seen to be real directories (not symlinks) since the last change at or
// below them: the parents of most entries are, and need not be looked at again for each entry.
class KnownDirectories {
 public:
  bool contains(const std::string& key) const { return keys_.contains(key); }
  void add(const std::string& key) { keys_.insert(key); }
  /// `key` and everything below it changed on disk.
  void forget(const std::string& key) {
    if (key.empty()) return keys_.clear();
    keys_.erase(key);
    const std::string prefix = key + "/";
    for (auto it = keys_.lower_bound(prefix); it != keys_.end() && it->starts_with(prefix);) it = keys_.erase(it);
  }

 private:
  std::set<std::string> keys_;
};

// Makes the directories above `key` exist, as a container runtime does for a layer that lists a
// file but not its directory: mode 0755, owned by the image's root (`root_owner` on the host).
// Returns the first of them that is a symlink on disk instead; nothing is created past it.
std::optional<std::string> make_parents(const fs::path& root, const std::string& key, std::uint32_t root_owner,
                                        KnownDirectories& known) {
  std::string walked;
  for (std::size_t start = 0, end; (end = key.find('/', start)) != std::string::npos; start = end + 1) {
    walked += (walked.empty() ? "" : "/") + key.substr(start, end - start);
    if (known.contains(walked)) continue;
    const fs::path at = root / walked;
    std::error_code ec;
    const auto status = fs::symlink_status(at, ec);
    if (fs::is_symlink(status)) return walked;
    if (!fs::is_directory(status)) {
      if (fs::exists(status)) fs::remove(at);  // a file where a directory must be: libarchive would do the same
      if (::mkdir(at.c_str(), 0755) != 0 || ::lchown(at.c_str(), root_owner, root_owner) != 0 ||
          ::chmod(at.c_str(), 0755) != 0)
        throw_infra(fmt::format("cannot create directory {}: {}", at.string(), std::strerror(errno)));
    }
    known.add(walked);
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
  LayerUnpacker(const fs::path& root, std::string layer, const UnpackLimits& limits,
                const std::optional<IdMapping>& owners, KnownDirectories& known, UnpackReport& report)
      : root_(root), layer_(std::move(layer)), limits_(limits), owners_(owners), known_(known), report_(report),
        disk_(archive_write_disk_new()) {
    // Paths handed to libarchive are absolute (root + checked key), so NOABSOLUTEPATHS cannot be
    // used; the checks here refuse absolute names before that. Owners stay numeric: no lookup.
    // No SECURE_SYMLINKS: apply() refuses a symlink among an entry's parents and removes what is
    // at the entry's own path unless both are directories, which is that check; libarchive's own
    // walk opens and stats every directory of the absolute path again for every entry (six opens
    // and seven stats an entry under /tmp, against one and one). SPARSE: runs of zeros become
    // holes, taking no disk.
    archive_write_disk_set_options(disk_.get(), ARCHIVE_EXTRACT_OWNER | ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME |
                                                    ARCHIVE_EXTRACT_SECURE_NODOTDOT | ARCHIVE_EXTRACT_SPARSE);
  }

  void apply(LayerArchive& tar, archive_entry* e) {
    const char* raw_name = archive_entry_pathname(e);
    const std::string raw = raw_name ? raw_name : "";
    if (++report_.entries > limits_.max_entries)
      refuse(raw, fmt::format("is past the limit of {} entries", limits_.max_entries));
    if (const auto why = unsafe(raw)) refuse(raw, *why);
    const std::string key = oci::normalise_image_path(raw);
    if (key.empty()) return;  // "./": the root itself
    const oci::Whiteout whiteout = oci::whiteout_of(key);
    if (whiteout.kind != oci::Whiteout::Kind::none) {
      if (const auto link = symlink_on_the_way(root_, key, false))
        refuse(raw, fmt::format("would be written through the symlink \"{}\"", *link));
    } else if (const auto link = make_parents(root_, key, host_id(raw, "uid", 0), known_)) {
      refuse(raw, fmt::format("would be written through the symlink \"{}\"", *link));
    }

    if (whiteout.kind == oci::Whiteout::Kind::opaque) {
      const std::string& dir = whiteout.target;
      std::error_code ec;
      if (fs::is_directory(fs::symlink_status(root_ / dir, ec)))
        for (const auto& child : fs::directory_iterator(root_ / dir))
          remove_lower(root_, (dir.empty() ? "" : dir + "/") + child.path().filename().string(), written_);
      known_.forget(dir);
      return;
    }
    if (whiteout.kind == oci::Whiteout::Kind::deletes) {
      const std::string& hidden = whiteout.target;
      remove_lower(root_, hidden, written_);
      known_.forget(hidden);
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
    if (size > limits_.max_bytes || report_.bytes_written + size > limits_.max_bytes)
      refuse(raw, fmt::format("declares {} bytes, which would take the unpacked image past the limit of {} bytes",
                              size, limits_.max_bytes));
    if (owners_) {
      archive_entry_set_uid(e, host_id(raw, "uid", archive_entry_uid(e)));
      archive_entry_set_gid(e, host_id(raw, "gid", archive_entry_gid(e)));
    }

    // As container runtimes apply layers: what is there goes, unless both are directories.
    std::error_code ec;
    const auto existing = fs::symlink_status(root_ / key, ec);
    if (!ec && fs::exists(existing) && !(fs::is_directory(existing) && type == AE_IFDIR)) {
      fs::remove_all(root_ / key);
      known_.forget(key);
    }

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
  // The host id of image id `id` (`what`: uid or gid); the id itself without a user namespace.
  std::uint32_t host_id(const std::string& entry, const char* what, la_int64_t id) {
    if (!owners_) return static_cast<std::uint32_t>(id);
    const auto host = id < 0 ? std::nullopt : owners_->to_host(static_cast<std::uint64_t>(id));
    if (!host)
      refuse(entry, fmt::format("belongs to {} {}, which the probe's user namespace does not map (it maps {} to {})", what,
                                id, owners_->container_id, owners_->container_id + (owners_->size - 1ull)));
    return *host;
  }
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
  const std::optional<IdMapping>& owners_;
  KnownDirectories& known_;
  UnpackReport& report_;
  oci::WriteArchive disk_;
  std::set<std::string> written_;  ///< keys this layer wrote
};

}  // namespace

UnpackReport unpack_rootfs(const std::shared_ptr<oci::BlobReader>& blobs, const std::vector<LayerRef>& layers,
                           const fs::path& root, const UnpackLimits& limits, const std::optional<IdMapping>& owners) {
  // No symlink in the root's own path either: libarchive's symlink check walks it too.
  const fs::path base = fs::canonical(root);
  if (owners) {
    const auto root_id = owners->to_host(0);
    if (!root_id || ::lchown(base.c_str(), *root_id, *root_id) != 0)
      throw_infra(fmt::format("cannot give {} to the image's root (host id {})", base.string(), root_id.value_or(0)));
  }
  UnpackReport report;
  KnownDirectories known;
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const std::string name = fmt::format("layer {} {} ({})", i, layers[i].digest.to_string(), blobs->describe());
    BlobStream stream(blobs, layers[i].digest, layers[i].size);
    LayerArchive tar(stream, name);
    LayerUnpacker unpacker(base, name, limits, owners, known, report);
    while (archive_entry* e = tar.next()) unpacker.apply(tar, e);
    unpacker.close();
    tar.finish();
  }
  return report;
}

}  // namespace kiln::verify
