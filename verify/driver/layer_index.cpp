#include "verify/driver/layer_index.h"

#include <archive.h>
#include <archive_entry.h>
#include <fmt/format.h>

#include <algorithm>
#include <cstdint>

#include "core/error.h"
#include "oci/image/filesystem_view.h"
#include "oci/image/manifest_edit.h"
#include "oci/image/whiteout.h"
#include "oci/sha256.h"
#include "verify/driver/blob_stream.h"
#include "verify/driver/layer_archive.h"

namespace kiln::verify {
namespace {

using inspect::FileStat;

// Symlinks met while streaming add wants for their targets; a hostile image must not make
// that list grow without end.
constexpr std::size_t kMaxWants = 4096;
// Every regular file keeps its first bytes: library lookups check each candidate's ELF
// identity (64 bytes for ELF64), and the layer holding the libraries went by before anyone
// knew which ones would be candidates.
constexpr std::size_t kHeadBytes = 64;
// Small files under /etc are kept whole for the same reason: ld.so.conf and its includes,
// passwd and group are asked for only once their layer has been read.
constexpr std::uint64_t kEtcFileBytes = 64 * 1024;

std::string parent_of(const std::string& key) {
  const auto slash = key.rfind('/');
  return slash == std::string::npos ? "" : key.substr(0, slash);
}

FileStat stat_of(archive_entry* e) {
  FileStat stat;
  stat.mode = static_cast<std::uint32_t>(archive_entry_mode(e)) & 07777;
  stat.uid = static_cast<std::uint32_t>(archive_entry_uid(e));
  stat.gid = static_cast<std::uint32_t>(archive_entry_gid(e));
  stat.size = archive_entry_size_is_set(e) ? static_cast<std::uint64_t>(archive_entry_size(e)) : 0;
  switch (archive_entry_filetype(e)) {
    case AE_IFDIR: stat.type = FileStat::Type::directory; stat.size = 0; break;
    case AE_IFLNK: {
      stat.type = FileStat::Type::symlink;
      const char* target = archive_entry_symlink(e);
      stat.link_target = target ? target : "";
      stat.size = stat.link_target.size();  // what lstat says on disk
      break;
    }
    case AE_IFCHR: stat.type = FileStat::Type::char_device; break;
    case AE_IFBLK: stat.type = FileStat::Type::block_device; break;
    case AE_IFIFO: stat.type = FileStat::Type::fifo; break;
    case AE_IFSOCK: stat.type = FileStat::Type::socket; break;
    default: stat.type = FileStat::Type::file; break;
  }
  return stat;
}

}  // namespace

std::vector<LayerRef> layers_of(const oci::Json& manifest) {
  std::vector<LayerRef> layers;
  for (const oci::Json& layer : manifest.value("layers", oci::Json::array())) {
    const oci::Descriptor blob = oci::Descriptor::from_json(layer, "layer of the image manifest");
    layers.push_back({.digest = blob.digest, .size = blob.size});
  }
  return layers;
}

LayerIndex::LayerIndex(std::shared_ptr<oci::BlobReader> blobs, std::vector<LayerRef> layers, IndexLimits limits)
    : blobs_(std::move(blobs)),
      layers_(std::move(layers)),
      next_layer_(static_cast<int>(layers_.size()) - 1),
      limits_(limits) {}

void LayerIndex::want(std::string_view path, std::uint64_t max_bytes) {
  auto& bytes = wants_[oci::normalise_image_path(path)];
  bytes = std::max(bytes, max_bytes);
}

bool LayerIndex::read_next_layer() {
  if (all_layers_read()) return false;
  read_layer(next_layer_, false);
  --next_layer_;
  return true;
}

std::size_t LayerIndex::recapture() {
  std::vector<int> layers;
  for (const auto& [layer, paths] : recaptures_)
    if (!paths.empty()) layers.push_back(layer);
  for (int layer : layers) read_layer(layer, true);
  return layers.size();
}

std::uint64_t LayerIndex::bytes_read() const {
  std::uint64_t total = 0;
  for (const LayerRead& read : reads_) total += read.bytes;
  return total;
}

// Whether layer `layer` and those below can still add an entry at `key`, given what the layers
// above it said: a whiteout of the path or an ancestor, an opaque ancestor, or an ancestor that
// is no directory there (a file or symlink replaces a directory with everything under it).
bool LayerIndex::lower_hidden(const std::string& key, int layer) const {
  if (whiteouts_.contains(key)) return true;
  std::string ancestor = key;
  while (!ancestor.empty()) {
    ancestor = parent_of(ancestor);
    if (!ancestor.empty() && whiteouts_.contains(ancestor)) return true;
    if (opaque_.contains(ancestor)) return true;
    const auto it = nodes_.find(ancestor);
    if (it != nodes_.end() && it->second.layer > layer && it->second.stat.type != FileStat::Type::directory)
      return true;
  }
  return false;
}

void LayerIndex::follow_wants_through_symlink(const std::string& link, const std::string& target) {
  const std::string base = target.starts_with('/') ? "" : parent_of(link);
  std::vector<std::pair<std::string, std::uint64_t>> added;
  for (const auto& [wanted, bytes] : wants_) {
    if (wanted != link && !wanted.starts_with(link + "/")) continue;
    added.emplace_back(oci::normalise_image_path(base + "/" + target + wanted.substr(link.size())), bytes);
  }
  for (const auto& [path, bytes] : added) {
    if (wants_.size() >= kMaxWants) return;
    auto& kept = wants_[path];
    kept = std::max(kept, bytes);
  }
}

std::string LayerIndex::capture(LayerArchive& tar, int layer, const std::string& data_path, std::uint64_t max_bytes) {
  max_bytes = std::max<std::uint64_t>(max_bytes, kHeadBytes);
  Capture capture;
  oci::Sha256 hash;
  std::uint64_t total = 0;
  tar.read_data([&](const char* data, std::size_t size) {
    hash.update(data, size);
    total += size;
    if (capture.data.size() < max_bytes)
      capture.data.append(data, static_cast<std::size_t>(std::min<std::uint64_t>(size, max_bytes - capture.data.size())));
  });
  capture.complete = total == capture.data.size();
  capture.sha256 = hash.finish().hex();
  std::string head = capture.data.substr(0, kHeadBytes);
  captures_[{layer, data_path}] = std::move(capture);
  return head;
}

void LayerIndex::read_layer(int layer, bool again) {
  const LayerRef& ref = layers_.at(static_cast<std::size_t>(layer));
  BlobStream stream(blobs_, ref.digest, ref.size);
  LayerArchive tar(stream, fmt::format("layer {} {} ({})", layer, ref.digest.to_string(), blobs_->describe()));
  std::map<std::string, std::uint64_t> recapture;
  recapture.swap(recaptures_[layer]);
  // A layer's whiteouts act on the layers below it only: they count once it has been read.
  std::vector<std::string> whiteouts, opaque;
  std::map<std::string, Node> files_here;  // this layer's regular files, for its hardlinks
  while (archive_entry* e = tar.next()) {
    const char* raw = archive_entry_pathname(e);
    if (!again) {
      // Checked on the header, before a byte of the entry's data is decompressed.
      const std::uint64_t size = archive_entry_size_is_set(e) ? static_cast<std::uint64_t>(archive_entry_size(e)) : 0;
      if (++entries_seen_ > limits_.max_entries)
        throw_infra(fmt::format("{}: entry \"{}\" is past the limit of {} entries; the static driver stops here",
                                tar.layer(), raw ? raw : "", limits_.max_entries));
      if (size > limits_.max_bytes || bytes_seen_ + size > limits_.max_bytes)
        throw_infra(fmt::format("{}: entry \"{}\" declares {} bytes, which takes the image past the limit of {} "
                                "bytes; the static driver stops here",
                                tar.layer(), raw ? raw : "", size, limits_.max_bytes));
      bytes_seen_ += size;
    }
    const std::string key = oci::normalise_image_path(raw ? raw : "");
    if (key.empty()) continue;
    const bool regular = archive_entry_filetype(e) == AE_IFREG && !archive_entry_hardlink(e);
    if (again) {
      if (auto it = recapture.find(key); regular && it != recapture.end()) {
        capture(tar, layer, key, it->second);
        recapture.erase(it);
      }
      continue;
    }
    if (const oci::Whiteout whiteout = oci::whiteout_of(key); whiteout.kind != oci::Whiteout::Kind::none) {
      (whiteout.kind == oci::Whiteout::Kind::opaque ? opaque : whiteouts).push_back(whiteout.target);
      continue;
    }
    Node node{.stat = stat_of(e), .layer = layer, .data_path = key};
    if (const char* hard = archive_entry_hardlink(e)) {
      // On disk a hardlink is its target: same inode, so same type, mode, owner and bytes.
      node.data_path = oci::normalise_image_path(hard);
      const auto target = files_here.find(node.data_path);
      if (target != files_here.end()) {
        node.stat = target->second.stat;
        node.head = target->second.head;
      }
      node.stat.type = FileStat::Type::file;
      node.stat.link_target.clear();
    }
    const bool visible = !lower_hidden(key, layer) &&
                         !(nodes_.contains(key) && nodes_.at(key).layer > layer);
    const auto wanted = visible ? wants_.find(key) : wants_.end();
    if (regular) {
      if (wanted != wants_.end()) node.head = capture(tar, layer, key, wanted->second);
      else if (visible && key.starts_with("etc/") && node.stat.size <= kEtcFileBytes) node.head = capture(tar, layer, key, kEtcFileBytes);
      else node.head = tar.read_prefix(kHeadBytes);
      files_here[key] = node;
    }
    if (!visible) continue;
    if (node.stat.type == FileStat::Type::symlink) follow_wants_through_symlink(key, node.stat.link_target);
    if (wanted != wants_.end() && !regular && node.stat.type == FileStat::Type::file) {
      if (!captures_.contains({layer, node.data_path})) {
        // The target's bytes went by before anyone knew they were wanted.
        auto& bytes = recaptures_[layer][node.data_path];
        bytes = std::max(bytes, wanted->second);
      }
    }
    nodes_[key] = std::move(node);
  }
  tar.finish();
  for (const auto& [path, bytes] : recapture) captures_[{layer, path}] = Capture{.missing = true};
  whiteouts_.insert(whiteouts.begin(), whiteouts.end());
  opaque_.insert(opaque.begin(), opaque.end());
  reads_.push_back({.digest = ref.digest, .bytes = stream.bytes(), .again = again});
}

std::optional<FileStat> LayerIndex::lstat(std::string_view path) const {
  const std::string key = oci::normalise_image_path(path);
  if (key.empty()) return FileStat{.type = FileStat::Type::directory, .mode = 0755};
  if (const auto it = nodes_.find(key); it != nodes_.end()) return it->second.stat;
  if (!settled(key)) misses_.headers = true;
  // A layer may hold "a/b/c" without "a/b": the directory exists, as extractors create it.
  const auto below = nodes_.lower_bound(key + "/");
  if (below != nodes_.end() && below->first.starts_with(key + "/"))
    return FileStat{.type = FileStat::Type::directory, .mode = 0755};
  return std::nullopt;
}

std::vector<std::string> LayerIndex::list(std::string_view directory) const {
  const std::string key = oci::normalise_image_path(directory);
  const auto self = nodes_.find(key);
  if (self != nodes_.end() && self->second.stat.type != FileStat::Type::directory) return {};
  if (!settled(key) && !opaque_.contains(key)) misses_.headers = true;
  const std::string prefix = key.empty() ? "" : key + "/";
  std::vector<std::string> names;
  for (auto it = nodes_.lower_bound(prefix); it != nodes_.end() && it->first.starts_with(prefix); ++it) {
    const std::string_view rest = std::string_view(it->first).substr(prefix.size());
    const std::string_view name = rest.substr(0, rest.find('/'));
    if (names.empty() || names.back() != name) names.emplace_back(name);
  }
  // Map order sorts "a/b" after "a-b", so a directory's name can come back: sort and dedupe.
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

std::optional<std::string> LayerIndex::kept_bytes(const Node& node, std::uint64_t offset, std::uint64_t length) const {
  const std::uint64_t need = length > UINT64_MAX - offset ? UINT64_MAX : offset + length;
  const auto slice = [&](const std::string& data) {
    if (offset >= data.size()) return std::string();
    return data.substr(static_cast<std::size_t>(offset),
                       static_cast<std::size_t>(std::min<std::uint64_t>(length, data.size() - offset)));
  };
  if (const auto c = captures_.find({node.layer, node.data_path}); c != captures_.end() && !c->second.missing) {
    if (c->second.complete || c->second.data.size() >= need) return slice(c->second.data);
  }
  if (node.head.size() >= need || node.head.size() == node.stat.size) return slice(node.head);
  return std::nullopt;
}

const LayerIndex::Node* LayerIndex::regular_node(const std::string& key) const {
  const auto it = nodes_.find(key);
  if (it == nodes_.end()) {
    if (!settled(key)) misses_.headers = true;
    return nullptr;
  }
  return it->second.stat.type == FileStat::Type::file ? &it->second : nullptr;
}

std::optional<std::string> LayerIndex::read(std::string_view path, std::uint64_t max_bytes) const {
  return read_range(path, 0, max_bytes);
}

std::optional<std::string> LayerIndex::read_range(std::string_view path, std::uint64_t offset,
                                                  std::uint64_t length) const {
  const Node* node = regular_node(oci::normalise_image_path(path));
  if (!node) return std::nullopt;
  if (auto bytes = kept_bytes(*node, offset, length)) return bytes;
  if (const auto c = captures_.find({node->layer, node->data_path}); c != captures_.end() && c->second.missing)
    return std::nullopt;
  misses_.contents = true;
  auto& bytes = recaptures_[node->layer][node->data_path];
  bytes = std::max(bytes, length > UINT64_MAX - offset ? UINT64_MAX : offset + length);
  return std::nullopt;
}

std::optional<std::string> LayerIndex::sha256(std::string_view path) const {
  const Node* node = regular_node(oci::normalise_image_path(path));
  if (!node) return std::nullopt;
  if (const auto c = captures_.find({node->layer, node->data_path}); c != captures_.end()) {
    if (c->second.missing) return std::nullopt;
    return c->second.sha256;
  }
  misses_.contents = true;
  recaptures_[node->layer][node->data_path];  // hash only: no bytes kept
  return std::nullopt;
}

}  // namespace kiln::verify
