#pragma once
// The entries of the layer a COPY is building (with the directories WORKDIR and VOLUME made
// before it), by path: a later entry for a path replaces the earlier one, as a later COPY
// overwrites. Looked up, not scanned: a COPY of a directory of 100,000 files, or a VOLUME with
// as many paths, cost the square of that when every entry searched all the others.
#include <cstddef>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "oci/layer/layer_writer.h"

namespace kiln::plugin {

class PendingLayer {
 public:
  /// Adds `entry`; an earlier entry for the same path is dropped and the new one goes last.
  /// The root itself ("/", "") is never an entry.
  void add(oci::LayerEntry entry);
  /// The entry for `path` ("usr/bin": no leading or trailing '/'), or nullptr.
  const oci::LayerEntry* find(const std::string& path) const;
  std::size_t size() const { return index_.size(); }
  bool empty() const { return index_.empty(); }
  /// The entries in the order they were added; the layer is empty afterwards.
  std::vector<oci::LayerEntry> take();

 private:
  std::vector<std::optional<oci::LayerEntry>> entries_;  ///< nullopt: replaced by a later one
  std::unordered_map<std::string, std::size_t> index_;   ///< path -> its live entry
};

/// Layer paths as the layer writer stores them: no leading or trailing '/'.
std::string layer_path(const std::string& path);

}  // namespace kiln::plugin
