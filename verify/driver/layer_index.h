#pragma once
// The static driver's view of an image: a FileTree built from the layer blobs, read top layer
// first and never extracted. Every entry's header is kept (hardlinks take their target's data,
// as they do on disk); contents and SHA-256 only for wanted paths, captured while the layer
// streams by. Reading stops where the caller stops asking: each query records whether the
// layers read so far settle it (see misses()), so a file in the top layer costs one layer.
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "inspect/file_tree.h"
#include "oci/digest.h"
#include "oci/image/blob_reader.h"
#include "oci/json.h"

namespace kiln::verify {

class LayerArchive;

/// One layer as the manifest lists it (bottom first).
struct LayerRef {
  oci::Digest digest;
  std::int64_t size = 0;
  friend bool operator==(const LayerRef&, const LayerRef&) = default;
};
/// The manifest's layers, bottom first.
std::vector<LayerRef> layers_of(const oci::Json& manifest);

/// What reading the image cost, for the benchmark and the tests.
struct LayerRead {
  oci::Digest digest;
  std::uint64_t bytes = 0;  ///< blob bytes (compressed, as downloaded)
  bool again = false;       ///< a re-read for contents discovered late
  friend bool operator==(const LayerRead&, const LayerRead&) = default;
};

/// What a (hostile) image may make the index read before it gives up (rootfs_unpack uses the
/// same limits): a tar bomb stops here with an error instead of taking memory (one node per
/// entry) or time (every declared byte is decompressed and hashed or skipped).
struct IndexLimits {
  std::uint64_t max_bytes = 16ull << 30;  ///< declared file sizes, all layers read together
  std::uint64_t max_entries = 2'000'000;  ///< tar entries, all layers read together
};

class LayerIndex : public inspect::FileTree {
 public:
  LayerIndex(std::shared_ptr<oci::BlobReader> blobs, std::vector<LayerRef> layers, IndexLimits limits = {});

  /// Keep up to `max_bytes` of `path` (an image path, followed through symlinks met while
  /// streaming) and its SHA-256 when the layer holding it is read.
  void want(std::string_view path, std::uint64_t max_bytes);
  /// Reads the next layer down; false when every layer has been read.
  bool read_next_layer();
  bool all_layers_read() const { return next_layer_ < 0; }
  /// Re-reads (once each) the layers holding contents that were asked for but not captured;
  /// returns how many layers that took.
  std::size_t recapture();

  /// Whether queries since the last clear_misses() got answers lower layers could change
  /// (`headers`: read the next layer) or asked for contents not captured (`contents`: recapture).
  struct Misses {
    bool headers = false;
    bool contents = false;
    bool any() const { return headers || contents; }
  };
  Misses misses() const { return misses_; }
  void clear_misses() { misses_ = {}; }

  const std::vector<LayerRead>& reads() const { return reads_; }
  std::uint64_t bytes_read() const;
  std::size_t layer_count() const { return layers_.size(); }

  // inspect::FileTree. Hardlinks are reported as the regular files they are on disk.
  std::optional<inspect::FileStat> lstat(std::string_view path) const override;
  std::vector<std::string> list(std::string_view directory) const override;
  std::optional<std::string> read(std::string_view path, std::uint64_t max_bytes) const override;
  std::optional<std::string> read_range(std::string_view path, std::uint64_t offset,
                                        std::uint64_t length) const override;
  std::optional<std::string> sha256(std::string_view path) const override;

 private:
  struct Node {
    inspect::FileStat stat;
    int layer = 0;          ///< manifest index of the layer it comes from
    std::string data_path;  ///< whose bytes it has in that layer: itself, or a hardlink's target
    std::string head;       ///< a regular file's first bytes (ELF identity), always kept
  };
  struct Capture {
    std::string data;
    bool complete = false;  ///< data is the whole file
    std::string sha256;
    bool missing = false;   ///< a re-read did not find it: unreadable, not to be asked again
  };
  using CaptureKey = std::pair<int, std::string>;  ///< layer, archive path

  void read_layer(int layer, bool again);
  /// The regular file at `key` (hardlinks included); nullptr otherwise, noting a miss when
  /// lower layers could still add it.
  const Node* regular_node(const std::string& key) const;
  bool lower_hidden(const std::string& key, int below_layer) const;
  bool settled(const std::string& key) const { return all_layers_read() || lower_hidden(key, next_layer_); }
  /// `length` bytes from `offset` of a node (fewer where the file ends), when they were kept.
  std::optional<std::string> kept_bytes(const Node& node, std::uint64_t offset, std::uint64_t length) const;
  /// Keeps up to `max_bytes` of the current entry and its hash; returns its first bytes.
  std::string capture(LayerArchive& tar, int layer, const std::string& data_path, std::uint64_t max_bytes);
  void follow_wants_through_symlink(const std::string& link, const std::string& target);

  std::shared_ptr<oci::BlobReader> blobs_;
  std::vector<LayerRef> layers_;
  int next_layer_;
  std::map<std::string, Node> nodes_;   ///< visible entries, "usr/bin" (no leading '/')
  std::set<std::string> whiteouts_;     ///< from layers read: hides the path and below, lower down
  std::set<std::string> opaque_;        ///< from layers read: hides a directory's lower contents
  std::map<std::string, std::uint64_t> wants_;  ///< visible path -> bytes wanted
  std::map<CaptureKey, Capture> captures_;
  mutable std::map<int, std::map<std::string, std::uint64_t>> recaptures_;  ///< layer -> path -> bytes
  mutable Misses misses_;
  std::vector<LayerRead> reads_;
  IndexLimits limits_;
  std::uint64_t entries_seen_ = 0;  ///< first reads only: a re-read repeats a layer already counted
  std::uint64_t bytes_seen_ = 0;
};

}  // namespace kiln::verify
