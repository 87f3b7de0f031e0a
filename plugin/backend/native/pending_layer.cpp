#include "plugin/backend/native/pending_layer.h"

namespace kiln::plugin {

std::string layer_path(const std::string& path) {
  const auto first = path.find_first_not_of('/');
  if (first == std::string::npos) return {};
  return path.substr(first, path.find_last_not_of('/') - first + 1);
}

void PendingLayer::add(oci::LayerEntry entry) {
  std::string key = layer_path(entry.path);
  if (key.empty()) return;
  if (const auto it = index_.find(key); it != index_.end()) {
    entries_[it->second].reset();
    it->second = entries_.size();
  } else {
    index_.emplace(std::move(key), entries_.size());
  }
  entries_.push_back(std::move(entry));
}

const oci::LayerEntry* PendingLayer::find(const std::string& path) const {
  const auto it = index_.find(path);
  return it == index_.end() ? nullptr : &*entries_[it->second];
}

std::vector<oci::LayerEntry> PendingLayer::take() {
  std::vector<oci::LayerEntry> out;
  out.reserve(index_.size());
  for (auto& entry : entries_)
    if (entry) out.push_back(std::move(*entry));
  entries_.clear();
  index_.clear();
  return out;
}

}  // namespace kiln::plugin
