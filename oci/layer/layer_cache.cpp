#include "oci/layer/layer_cache.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <fstream>
#include <functional>
#include <vector>

#include "core/atomic_file.h"
#include "core/error.h"
#include "oci/json.h"
#include "oci/sha256.h"

namespace kiln::oci {
namespace {

// Bumped whenever write_layer's output for the same inputs changes.
constexpr int kLayerFormat = 3;  // 2: zstd in multi-threaded mode; 3: gzip in parallel blocks

const char* type_name(LayerEntry::Type type) {
  switch (type) {
    case LayerEntry::Type::file: return "file";
    case LayerEntry::Type::directory: return "dir";
    case LayerEntry::Type::symlink: return "symlink";
  }
  return "?";
}

const char* compression_name(Compression c) {
  switch (c) {
    case Compression::none: return "none";
    case Compression::gzip: return "gzip";
    case Compression::zstd: return "zstd";
  }
  return "?";
}

// One function for both keys, so key_of and key_for can never disagree.
Digest key_with(const LayerSpec& spec, const std::function<Digest(const std::filesystem::path&)>& hash_file) {
  Json doc = {{"format", kLayerFormat},
              {"mtime", spec.mtime},
              {"compression", compression_name(spec.compression.kind)},
              {"level", spec.compression.level},
              {"entries", Json::array()}};
  for (const LayerEntry& e : spec.entries) {
    Json entry = {{"type", type_name(e.type)}, {"path", e.path},     {"mode", e.mode},
                  {"link", e.link_target},     {"uid", e.uid},       {"gid", e.gid}};
    if (e.type == LayerEntry::Type::file)
      entry["content"] = (e.source.empty() ? Sha256::of(e.content) : hash_file(e.source)).to_string();
    doc["entries"].push_back(std::move(entry));
  }
  return Sha256::of(dump_json(doc));
}

}  // namespace

Digest LayerCache::key_of(const LayerSpec& spec) { return key_with(spec, hash_file_content); }

void LayerCache::hash_ahead(const LayerSpec& spec) const {
  for (const LayerEntry& e : spec.entries)
    if (e.type == LayerEntry::Type::file && !e.source.empty()) hashes_.start(e.source);
}

Digest LayerCache::key_for(const LayerSpec& spec) const {
  return key_with(spec, [this](const std::filesystem::path& file) { return hashes_.get(file); });
}

std::optional<Digest> LayerCache::key_if_ready(const LayerSpec& spec) const {
  for (const LayerEntry& e : spec.entries)
    if (e.type == LayerEntry::Type::file && !e.source.empty() && !hashes_.ready(e.source)) return std::nullopt;
  return key_for(spec);
}

std::optional<CachedLayer> LayerCache::find(const Digest& key) const {
  std::ifstream in(dir_ / (key.hex() + ".json"));
  if (!in) return std::nullopt;
  try {
    const Json doc = Json::parse(in);
    return CachedLayer{.digest = Digest::parse(doc.at("digest").get<std::string>()),
                       .diff_id = Digest::parse(doc.at("diff_id").get<std::string>()),
                       .size = doc.at("size").get<std::int64_t>()};
  } catch (const std::exception& e) {
    spdlog::debug("layer cache: ignoring unreadable entry {}: {}", key.hex(), e.what());
    return std::nullopt;
  }
}

void LayerCache::store(const Digest& key, const CachedLayer& layer) const noexcept {
  try {
    std::filesystem::create_directories(dir_);
    write_file_atomically(dir_ / (key.hex() + ".json"),  // readers never see half an entry
                          dump_json(Json{{"digest", layer.digest.to_string()},
                                         {"diff_id", layer.diff_id.to_string()},
                                         {"size", layer.size}}));
  } catch (const std::exception& e) {
    spdlog::debug("layer cache: cannot store in {}: {}", dir_.string(), e.what());
  }
}

}  // namespace kiln::oci
