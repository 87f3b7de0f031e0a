#include "oci/layer/layer_cache.h"

#include <gtest/gtest.h>

#include <fstream>

#include "core/temp_dir.h"
#include "oci/sha256.h"

namespace kiln::oci {
namespace {

LayerSpec spec_of(const std::filesystem::path& file) {
  return LayerSpec{.entries = {LayerEntry{.type = LayerEntry::Type::file, .path = "usr/local/app/main", .mode = 0755,
                                          .source = file, .content = {}, .link_target = {}}},
                   .mtime = 0,
                   .compression = {}};
}

}  // namespace

// The key changes with anything that changes the layer's bytes, and only then.
TEST(LayerCache, KeyFollowsContentAndSettings) {
  TempDir dir("kiln-cache-test");
  const auto file = dir.path() / "main";
  std::ofstream(file) << "v1";
  const LayerSpec base = spec_of(file);
  const Digest key = LayerCache::key_of(base);
  EXPECT_EQ(LayerCache::key_of(base), key);

  std::vector<LayerSpec> variants(5, base);
  variants[0].mtime = 1;
  variants[1].compression.level = 2;
  variants[2].compression.kind = Compression::zstd;
  variants[3].entries[0].mode = 0700;
  variants[4].entries[0].path = "usr/local/app/other";
  for (const auto& v : variants) EXPECT_NE(LayerCache::key_of(v), key);

  std::ofstream(file) << "v2";
  EXPECT_NE(LayerCache::key_of(base), key) << "same path, new content";
}

// key_if_ready() is the key once the sources are hashed, and nothing before hash_ahead().
TEST(LayerCache, KeyIfReadyNeverWaits) {
  TempDir dir("kiln-cache-test");
  const auto file = dir.path() / "main";
  std::ofstream(file) << "v1";
  const LayerSpec spec = spec_of(file);
  const LayerCache cache(dir.path() / "cache");
  EXPECT_FALSE(cache.key_if_ready(spec)) << "not hashed yet";
  cache.hash_ahead(spec);
  EXPECT_EQ(cache.key_for(spec), LayerCache::key_of(spec));
  EXPECT_EQ(cache.key_if_ready(spec), LayerCache::key_of(spec));
}

TEST(LayerCache, StoresAndFinds) {
  TempDir dir("kiln-cache-test");
  const LayerCache cache(dir.path() / "nested/cache");
  const Digest key = Sha256::of("key");
  EXPECT_FALSE(cache.find(key));
  const CachedLayer layer{.digest = Sha256::of("blob"), .diff_id = Sha256::of("tar"), .size = 42};
  cache.store(key, layer);
  EXPECT_EQ(cache.find(key), layer);
}

TEST(LayerCache, IgnoresACorruptEntry) {
  TempDir dir("kiln-cache-test");
  const Digest key = Sha256::of("key");
  std::ofstream(dir.path() / (key.hex() + ".json")) << "{not json";
  EXPECT_FALSE(LayerCache(dir.path()).find(key));
}

TEST(LayerCache, UnwritableDirectoryIsNotAnError) {
  TempDir dir("kiln-cache-test");
  std::ofstream(dir.path() / "file") << "x";
  const LayerCache cache(dir.path() / "file/sub");  // a file where the directory should be
  cache.store(Sha256::of("k"), {.digest = Sha256::of("b"), .diff_id = Sha256::of("t"), .size = 1});
  EXPECT_FALSE(cache.find(Sha256::of("k")));
}

}  // namespace kiln::oci
