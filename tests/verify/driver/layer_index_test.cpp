#include "verify/driver/layer_index.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "core/temp_dir.h"
#include "oci/image/blob_reader.h"
#include "tests/verify/driver/test_layers.h"

namespace kiln::verify {
namespace {

using inspect::FileStat;
using namespace kiln::verify::testing;

std::string sha256_hex(const std::string& data) { return oci::Sha256::of(data).hex(); }

// Three layers (bottom first) exercising every whiteout rule, in one compression.
std::vector<LayerRef> stacked_layers(LayoutDir& layout, Compress compress) {
  const LayerRef base = layout.add(write_tar(
      {dir("a"), file("a/x", "lower x"), file("a/y", "lower y"), dir("d"), file("d/old", "old"), dir("keep"),
       file("keep/k", "k"), dir("lib"), file("lib/libfoo.so", "\x7f" "ELF lower lib"), file("shadowed", "lower"),
       dir("etc"), file("etc/passwd", "root:x:0:0::/root:/bin/sh\n")},
      compress));
  TarEntry su = file("bin/su", "su", 04755);
  su.gid = 42;
  TarEntry sticky = dir("scratch", 01777);
  TarEntry owned = file("home/app/data", "mine", 0600);
  owned.uid = 1000;
  owned.gid = 1000;
  TarEntry device = {.kind = TarEntry::Kind::char_device, .path = "dev/null", .data = {}, .link = {}, .mode = 0666};
  const LayerRef middle = layout.add(write_tar(
      {dir("a"), whiteout("a", "x"), opaque("d"), file("d/new", "new"), file("shadowed", "middle"), dir("bin"), su,
       sticky, owned, device, dir("hl"), file("hl/orig", "linked bytes", 0750), hardlink("hl/link", "hl/orig"),
       symlink("lib/alias", "libfoo.so")},
      compress));
  const LayerRef top = layout.add(write_tar({whiteout("", "keep"), file("shadowed", "top")}, compress));
  return {base, middle, top};
}

class LayerIndexWhiteouts : public ::testing::TestWithParam<Compress> {};

TEST_P(LayerIndexWhiteouts, MergesLayersTopFirstApplyingWhiteoutsAndKeepingHeaders) {
  TempDir tmp("kiln-layer-index");
  LayoutDir layout(tmp.path());
  LayerIndex index(oci::layout_blob_reader(layout.path()), stacked_layers(layout, GetParam()));
  index.want("/shadowed", 1024);
  index.want("/hl/link", 1024);
  while (index.read_next_layer()) {
  }
  EXPECT_FALSE(index.lstat("/a/x")) << "deleted by .wh.x one layer up";
  EXPECT_TRUE(index.lstat("/a/y"));
  EXPECT_EQ(index.list("/a"), std::vector<std::string>{"y"}) << "whiteout files never appear";
  EXPECT_FALSE(index.lstat("/d/old")) << "hidden by the opaque marker";
  EXPECT_EQ(index.list("/d"), std::vector<std::string>{"new"});
  EXPECT_FALSE(index.lstat("/keep")) << "directory whited out from the top";
  EXPECT_FALSE(index.lstat("/keep/k")) << "with everything below it";
  EXPECT_EQ(index.read("/shadowed", 100), "top");
  EXPECT_EQ(index.sha256("/shadowed"), sha256_hex("top"));

  const auto su = index.lstat("/bin/su");
  ASSERT_TRUE(su);
  EXPECT_EQ(su->type, FileStat::Type::file);
  EXPECT_EQ(su->mode, 04755u);
  EXPECT_EQ(su->gid, 42u);
  EXPECT_EQ(index.lstat("/scratch")->mode, 01777u);
  EXPECT_EQ(index.lstat("/home/app/data")->uid, 1000u);
  EXPECT_EQ(index.lstat("/dev/null")->type, FileStat::Type::char_device);
  EXPECT_EQ(index.lstat("/home")->type, FileStat::Type::directory) << "implied by home/app/data";

  // A hardlink is its target on disk: regular file, the target's mode, size and bytes.
  const auto link = index.lstat("/hl/link");
  ASSERT_TRUE(link);
  EXPECT_EQ(link->type, FileStat::Type::file);
  EXPECT_EQ(link->mode, 0750u);
  EXPECT_EQ(link->size, std::string("linked bytes").size());
  EXPECT_EQ(index.read("/hl/link", 100), "linked bytes") << "small: its kept first bytes are all of it";
  // The target's bytes went by before the link said they were wanted: one re-read, counted.
  EXPECT_FALSE(index.sha256("/hl/link"));
  EXPECT_TRUE(index.misses().contents);
  EXPECT_EQ(index.recapture(), 1u);
  index.clear_misses();
  EXPECT_EQ(index.sha256("/hl/link"), sha256_hex("linked bytes"));

  const auto alias = index.lstat("/lib/alias");
  ASSERT_TRUE(alias);
  EXPECT_EQ(alias->type, FileStat::Type::symlink);
  EXPECT_EQ(alias->link_target, "libfoo.so");
  // First bytes of every file are kept (library candidates' ELF identity), small /etc files whole.
  EXPECT_EQ(index.read("/lib/libfoo.so", 4), "\x7f" "ELF");
  EXPECT_EQ(index.read("/etc/passwd", 1 << 20), "root:x:0:0::/root:/bin/sh\n");
  EXPECT_FALSE(index.misses().any());
  EXPECT_EQ(index.reads().size(), 4u);
  EXPECT_EQ(std::count_if(index.reads().begin(), index.reads().end(), [](const LayerRead& r) { return r.again; }), 1);
}

INSTANTIATE_TEST_SUITE_P(Compressions, LayerIndexWhiteouts,
                         ::testing::Values(Compress::gzip, Compress::zstd, Compress::none));

TEST(LayerIndex, StopsAtTheTopLayerWhenItSettlesTheQuery) {
  TempDir tmp("kiln-layer-index");
  LayoutDir layout(tmp.path());
  const std::string payload(4 << 20, 'p');
  const LayerRef base = layout.add(write_tar({dir("bin"), file("bin/sh", "shell", 0755)}));
  const LayerRef big = layout.add(write_tar({dir("opt"), file("opt/payload", payload)}));
  const LayerRef app = layout.add(write_tar(
      {dir("usr"), dir("usr/local"), dir("usr/local/app"), file("usr/local/app/main", "\x7f" "ELF main", 0755)}));
  LayerIndex index(oci::layout_blob_reader(layout.path()), {base, big, app});
  index.want("/usr/local/app/main", 1 << 20);
  ASSERT_TRUE(index.read_next_layer());

  for (const char* path : {"/usr", "/usr/local", "/usr/local/app", "/usr/local/app/main"}) EXPECT_TRUE(index.lstat(path));
  EXPECT_EQ(index.read("/usr/local/app/main", 1 << 20), "\x7f" "ELF main");
  EXPECT_FALSE(index.misses().any()) << "explicit directories in the top layer shadow anything below";
  ASSERT_EQ(index.reads().size(), 1u);
  EXPECT_EQ(index.reads()[0].digest, app.digest);
  EXPECT_EQ(index.bytes_read(), static_cast<std::uint64_t>(app.size)) << "only the app layer's blob";

  EXPECT_FALSE(index.lstat("/bin/sh"));
  EXPECT_TRUE(index.misses().headers) << "a path the top layer does not have may be lower down";
  index.clear_misses();
  ASSERT_TRUE(index.read_next_layer());
  EXPECT_FALSE(index.lstat("/bin/sh"));
  EXPECT_TRUE(index.misses().headers);
  ASSERT_TRUE(index.read_next_layer());
  index.clear_misses();
  EXPECT_EQ(index.lstat("/bin/sh")->mode, 0755u);
  EXPECT_FALSE(index.misses().any());
  EXPECT_EQ(index.bytes_read(), static_cast<std::uint64_t>(app.size + big.size + base.size));
}

TEST(LayerIndex, ImpliedParentsWaitForLowerLayers) {
  // "usr/local/app/main" without "usr" entries: a lower layer may hold /usr's real header.
  TempDir tmp("kiln-layer-index");
  LayoutDir layout(tmp.path());
  const LayerRef base = layout.add(write_tar({dir("usr", 0700)}));
  const LayerRef app = layout.add(write_tar({file("usr/local/app/main", "main", 0755)}));
  LayerIndex index(oci::layout_blob_reader(layout.path()), {base, app});
  index.read_next_layer();
  EXPECT_EQ(index.lstat("/usr")->type, FileStat::Type::directory);
  EXPECT_TRUE(index.misses().headers);
  index.clear_misses();
  index.read_next_layer();
  EXPECT_EQ(index.lstat("/usr")->mode, 0700u) << "an explicit header beats an implied directory";
  EXPECT_FALSE(index.misses().any());
}

TEST(LayerIndex, FollowsWantedSymlinksWhileStreamingSoLowerTargetsNeedNoReread) {
  TempDir tmp("kiln-layer-index");
  LayoutDir layout(tmp.path());
  const LayerRef base = layout.add(write_tar({dir("opt"), dir("opt/real"), file("opt/real/main", "real binary")}));
  const LayerRef app = layout.add(write_tar({dir("app"), symlink("app/bin", "../opt/real")}));
  LayerIndex index(oci::layout_blob_reader(layout.path()), {base, app});
  index.want("/app/bin/main", 1024);
  index.read_next_layer();
  index.read_next_layer();
  EXPECT_EQ(index.read("/opt/real/main", 1024), "real binary");
  EXPECT_FALSE(index.misses().any());
  EXPECT_EQ(index.reads().size(), 2u);
}

TEST(LayerIndex, RereadsALayerOnceForContentsAskedLate) {
  TempDir tmp("kiln-layer-index");
  LayoutDir layout(tmp.path());
  const std::string big(200 * 1024, 'b');
  const LayerRef base = layout.add(write_tar({file("data/big", big), file("data/other", std::string(100, 'o'))}));
  LayerIndex index(oci::layout_blob_reader(layout.path()), {base});
  index.read_next_layer();
  EXPECT_EQ(index.read("/data/big", 64), big.substr(0, 64)) << "the kept first bytes";
  EXPECT_FALSE(index.read("/data/big", 1 << 20));
  EXPECT_FALSE(index.sha256("/data/other"));
  EXPECT_TRUE(index.misses().contents);
  EXPECT_FALSE(index.misses().headers);
  EXPECT_EQ(index.recapture(), 1u) << "both late wants in one re-read";
  index.clear_misses();
  EXPECT_EQ(index.read("/data/big", 1 << 20), big);
  EXPECT_EQ(index.sha256("/data/other"), sha256_hex(std::string(100, 'o')));
  EXPECT_FALSE(index.misses().any());
  ASSERT_EQ(index.reads().size(), 2u);
  EXPECT_TRUE(index.reads()[1].again);
}

TEST(LayerIndex, ABlobThatDoesNotMatchItsDigestFailsTheRead) {
  TempDir tmp("kiln-layer-index");
  LayoutDir layout(tmp.path());
  const LayerRef layer = layout.add(write_tar({file("x", std::string(300 * 1024, 'x'))}));
  std::ofstream(tmp.path() / "blobs" / "sha256" / layer.digest.hex(), std::ios::binary)
      << write_tar({file("x", std::string(300 * 1024, 'y'))});
  LayerIndex index(oci::layout_blob_reader(layout.path()), {layer});
  try {
    index.read_next_layer();
    FAIL() << "read a blob that does not match its digest";
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_class(), ExitClass::infra);
    EXPECT_NE(std::string(e.what()).find("does not match its digest"), std::string::npos) << e.what();
  }
}

TEST(LayerIndex, ADamagedLayerIsAnInfraErrorNamingIt) {
  TempDir tmp("kiln-layer-index");
  LayoutDir layout(tmp.path());
  std::string blob = write_tar({file("x", std::string(100 * 1024, 'x'))});
  blob.resize(blob.size() / 2);
  const LayerRef layer = layout.add(blob);
  LayerIndex index(oci::layout_blob_reader(layout.path()), {layer});
  try {
    index.read_next_layer();
    FAIL() << "read half a gzip stream";
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_class(), ExitClass::infra);
    EXPECT_NE(std::string(e.what()).find("layer 0 " + layer.digest.to_string()), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace kiln::verify
