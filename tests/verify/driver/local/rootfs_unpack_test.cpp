#include "verify/driver/local/rootfs_unpack.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include <chrono>

#include "core/error.h"
#include "core/temp_dir.h"
#include "tests/support/files.h"
#include "tests/support/hostile_layers.h"
#include "tests/verify/driver/test_layers.h"
#include "verify/driver/local/local_driver.h"
#include "verify/driver/local/probe_sandbox.h"

namespace kiln::verify {
namespace {
using kiln::testing::read_file;

namespace fs = std::filesystem;
using namespace kiln::verify::testing;


// <tmp>/layout (blobs), <tmp>/rootfs (the target), <tmp>/outside/secret (must stay untouched).
class RootfsUnpack : public ::testing::Test {
 protected:
  RootfsUnpack() : layout_(tmp_.path() / "layout") {
    fs::create_directories(rootfs());
    fs::create_directories(outside());
    std::ofstream(outside() / "secret") << "host secret";
  }
  fs::path rootfs() const { return tmp_.path() / "rootfs"; }
  fs::path outside() const { return tmp_.path() / "outside"; }
  UnpackReport unpack(const std::vector<std::vector<TarEntry>>& layers, const UnpackLimits& limits = {},
                      const std::optional<IdMapping>& owners = std::nullopt) {
    std::vector<LayerRef> refs;
    for (const auto& entries : layers) refs.push_back(layout_.add(write_tar(entries)));
    return unpack_rootfs(oci::layout_blob_reader(layout_.path()), refs, rootfs(), limits, owners);
  }
  // The error unpacking `blob` with `limits` gives, or "" when it unpacks.
  std::string unpack_error(const std::string& blob, const UnpackLimits& limits) {
    try {
      unpack_rootfs(oci::layout_blob_reader(layout_.path()), {layout_.add(blob)}, rootfs(), limits);
    } catch (const Error& e) {
      EXPECT_EQ(e.exit_class(), ExitClass::infra);
      return e.what();
    }
    return "";
  }
  static std::uint64_t files_below(const fs::path& dir) {
    std::uint64_t n = 0;
    for (auto it = fs::recursive_directory_iterator(dir); it != fs::recursive_directory_iterator(); ++it) ++n;
    return n;
  }
  void expect_outside_untouched() {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(outside())) names.push_back(e.path().filename().string());
    EXPECT_EQ(names, std::vector<std::string>{"secret"});
    EXPECT_EQ(read_file(outside() / "secret"), "host secret");
    std::set<std::string> top;
    for (const auto& e : fs::directory_iterator(tmp_.path())) top.insert(e.path().filename().string());
    EXPECT_EQ(top, (std::set<std::string>{"layout", "outside", "rootfs"}));
  }

  TempDir tmp_{"kiln-unpack"};
  LayoutDir layout_;
};

TEST_F(RootfsUnpack, AppliesLayersWithWhiteoutsModesOwnersAndHardlinks) {
  TarEntry su = file("bin/su", "su", 04755);
  TarEntry owned = file("home/app/data", "mine", 0600);
  owned.uid = 1000;
  owned.gid = 1001;
  TarEntry device = {.kind = TarEntry::Kind::char_device, .path = "dev/sda", .data = {}, .link = {}, .mode = 0660};
  const UnpackReport report = unpack({
      {dir("a"), file("a/x", "x"), file("a/y", "y"), dir("d"), file("d/old", "old"), dir("d/sub"),
       file("d/sub/deep", "deep"), dir("gone"), file("gone/f", "f"), file("replaced", "file")},
      {file("d/new", "new"), opaque("d"), whiteout("a", "x"), whiteout("", "gone"), dir("bin"), su, owned, device,
       dir("tmp", 01777), file("hl/orig", "linked", 0750), hardlink("hl/link", "hl/orig"),
       symlink("lib", "usr/lib"), dir("replaced"), file("replaced/inside", "now a directory")},
  });
  EXPECT_FALSE(fs::exists(rootfs() / "a/x"));
  EXPECT_EQ(read_file(rootfs() / "a/y"), "y");
  EXPECT_FALSE(fs::exists(rootfs() / "d/old"));
  EXPECT_FALSE(fs::exists(rootfs() / "d/sub"));
  EXPECT_EQ(read_file(rootfs() / "d/new"), "new") << "written before the opaque marker in the same layer, kept";
  EXPECT_FALSE(fs::exists(rootfs() / "gone"));
  EXPECT_FALSE(fs::exists(rootfs() / "d/.wh..wh..opq"));
  EXPECT_EQ(read_file(rootfs() / "replaced/inside"), "now a directory");

  struct stat st {};
  ASSERT_EQ(::stat((rootfs() / "bin/su").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 04755u);
  ASSERT_EQ(::stat((rootfs() / "home/app/data").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 1000u);
  EXPECT_EQ(st.st_gid, 1001u);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  ASSERT_EQ(::stat((rootfs() / "tmp").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 01777u);
  struct stat orig {}, link {};
  ASSERT_EQ(::stat((rootfs() / "hl/orig").c_str(), &orig), 0);
  ASSERT_EQ(::stat((rootfs() / "hl/link").c_str(), &link), 0);
  EXPECT_EQ(orig.st_ino, link.st_ino);
  EXPECT_EQ(fs::read_symlink(rootfs() / "lib"), "usr/lib");

  EXPECT_FALSE(fs::exists(fs::symlink_status(rootfs() / "dev/sda")));
  ASSERT_EQ(report.skipped.size(), 1u);
  EXPECT_NE(report.skipped[0].find("layer 1 sha256:"), std::string::npos);
  EXPECT_NE(report.skipped[0].find(": dev/sda: character device skipped"), std::string::npos) << report.skipped[0];
  expect_outside_untouched();
}

struct Hostile {
  const char* name;
  std::vector<std::vector<TarEntry>> layers;  // built per test: needs the outside path
  std::string entry;
  std::string why;
};

TEST_F(RootfsUnpack, RefusesEveryEscapeNamingLayerAndEntry) {
  const std::string out = outside().string();
  const std::vector<Hostile> cases = {
      {"dotdot", {{file("../x", "escaped")}}, "../x", "climbs out with \"..\""},
      {"dotdot inside", {{dir("a"), file("a/../../x", "escaped")}}, "a/../../x", "climbs out with \"..\""},
      {"absolute", {{file(out + "/planted", "escaped")}}, out + "/planted", "is an absolute path"},
      {"through a symlink", {{symlink("evil", out), file("evil/planted", "escaped")}}, "evil/planted",
       "would be written through the symlink \"evil\""},
      {"through a relative symlink", {{symlink("evil", "../outside"), file("evil/planted", "escaped")}},
       "evil/planted", "would be written through the symlink \"evil\""},
      {"through a lower layer's symlink", {{dir("usr"), symlink("usr/lib", out)}, {file("usr/lib/planted", "x")}},
       "usr/lib/planted", "would be written through the symlink \"usr/lib\""},
      {"whiteout through a symlink", {{symlink("evil", out)}, {whiteout("evil", "secret")}}, "evil/.wh.secret",
       "would be written through the symlink \"evil\""},
      {"hardlink up", {{hardlink("h", "../outside/secret")}}, "h",
       "is a hardlink to \"../outside/secret\", which climbs out with \"..\""},
      {"hardlink absolute", {{hardlink("h", out + "/secret")}}, "h",
       "is a hardlink to \"" + out + "/secret\", which is an absolute path"},
      {"hardlink through a symlink", {{symlink("s", out), hardlink("h", "s/secret")}}, "h",
       "is a hardlink to \"s/secret\", reached through the symlink \"s\""},
      // A directory written through once, then replaced by a symlink: the next write must see it.
      {"through a directory replaced by a symlink", {{dir("a"), file("a/x", "x"), symlink("a", out), file("a/y", "y")}},
       "a/y", "would be written through the symlink \"a\""},
      {"through a directory whited out for a symlink",
       {{dir("a"), file("a/x", "x")}, {whiteout("", "a"), symlink("a", out), file("a/y", "y")}}, "a/y",
       "would be written through the symlink \"a\""},
      {"through a directory replaced by a symlink in a lower layer's child",
       {{dir("a"), dir("a/b"), file("a/b/x", "x")}, {symlink("a/b", out), file("a/b/y", "y")}}, "a/b/y",
       "would be written through the symlink \"a/b\""},
  };
  for (const Hostile& c : cases) {
    SCOPED_TRACE(c.name);
    fs::remove_all(rootfs());
    fs::create_directories(rootfs());
    try {
      unpack(c.layers);
      ADD_FAILURE() << "unpacked";
    } catch (const Error& e) {
      EXPECT_EQ(e.exit_class(), ExitClass::infra);
      const std::string what = e.what();
      EXPECT_NE(what.find(" sha256:"), std::string::npos) << what;
      EXPECT_NE(what.find("entry \"" + c.entry + "\" " + c.why + "; refusing to unpack the image"), std::string::npos)
          << what;
    }
    expect_outside_untouched();
  }
}

TEST_F(RootfsUnpack, StopsATarBombAtTheSizeLimit) {
  try {
    unpack({{file("small", std::string(600 * 1024, 's')), file("bomb", std::string(600 * 1024, 'b'))}},
           {.max_bytes = 1 << 20, .max_entries = 100});
    FAIL() << "unpacked past the limit";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("entry \"bomb\" declares 614400 bytes, which would take the unpacked image "
                                         "past the limit of 1048576 bytes"),
              std::string::npos)
        << e.what();
  }
  EXPECT_FALSE(fs::exists(rootfs() / "bomb"));
  try {
    unpack({{file("a", ""), file("b", ""), file("c", "")}}, {.max_bytes = 1 << 20, .max_entries = 2});
    FAIL() << "unpacked past the entry limit";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("entry \"c\" is past the limit of 2 entries"), std::string::npos) << e.what();
  }
  expect_outside_untouched();
}

// A header that declares 4 GiB (the end-to-end test sends the real 4 GiB of zeros): the local
// driver's default limit, far below the static driver's 16 GiB, refuses it on the header, so
// nothing is written.
TEST_F(RootfsUnpack, AFileOfFourGibIsRefusedOnItsHeaderByTheDefaultLimit) {
  const std::string error = unpack_error(tar_declaring("zeros", 4ull << 30), LocalDriverOptions{}.limits);
  EXPECT_NE(error.find("entry \"zeros\" declares 4294967296 bytes, which would take the unpacked image past the "
                       "limit of 2147483648 bytes; refusing to unpack the image"),
            std::string::npos)
      << error;
  EXPECT_NE(error.find("layer 0 sha256:"), std::string::npos) << "names the layer: " << error;
  EXPECT_FALSE(fs::exists(rootfs() / "zeros"));
  EXPECT_EQ(unpack_error(tar_declaring("zeros", 4ull << 30), {}).find("declares 4294967296 bytes"), std::string::npos)
      << "the static driver's 16 GiB would have let it through to the data";
}

// The attack: a layer of 200,000 entries. The entry limit stops it where it is, having
// written no more than the limit; a limit of 1,000 takes well under a second.
TEST_F(RootfsUnpack, ALayerOfManyEntriesStopsAtTheEntryLimit) {
  const kiln::testing::LayerBlob many = kiln::testing::many_files_layer(200'000);
  const auto started = std::chrono::steady_clock::now();
  const std::string error = unpack_error(many.blob, {.max_bytes = 1 << 20, .max_entries = 1000});
  EXPECT_NE(error.find("entry \"d0/f999\" is past the limit of 1000 entries"), std::string::npos) << error;
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
  EXPECT_LE(files_below(rootfs()), 1000u);
}

// With a user namespace, image id n is stored as host id 2^30 + n, so inside the namespace
// every file has the owner the image gave it; directories the layer implies belong to root.
TEST_F(RootfsUnpack, OwnersAreShiftedIntoTheProbesUserNamespace) {
  TarEntry owned = file("home/app/data", "mine", 0600);
  owned.uid = 1000;
  owned.gid = 1001;
  TarEntry setuid = file("bin/su", "su", 04755);
  unpack({{owned, setuid, dir("tmp", 01777)}}, {}, kProbeIds);
  const auto owner = [&](const std::string& path) {
    struct stat st {};
    EXPECT_EQ(::lstat((rootfs() / path).c_str(), &st), 0) << path;
    return std::pair<std::uint64_t, std::uint64_t>(st.st_uid, st.st_gid);
  };
  const std::uint64_t base = kProbeIds.host_id;
  EXPECT_EQ(owner("home/app/data"), std::make_pair(base + 1000, base + 1001));
  EXPECT_EQ(owner("bin/su"), std::make_pair(base, base));
  EXPECT_EQ(owner("home"), std::make_pair(base, base)) << "implied by home/app/data";
  EXPECT_EQ(owner("home/app"), std::make_pair(base, base));
  EXPECT_EQ(owner(""), std::make_pair(base, base)) << "the root itself";
  struct stat st {};
  ASSERT_EQ(::stat((rootfs() / "home").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0755u);
  ASSERT_EQ(::stat((rootfs() / "bin/su").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 04755u);

  TarEntry alien = file("alien", "x");
  alien.uid = 2'000'000'000;
  fs::remove_all(rootfs());
  fs::create_directories(rootfs());
  try {
    unpack({{alien}}, {}, kProbeIds);
    FAIL() << "unpacked an owner the namespace cannot map";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("entry \"alien\" belongs to uid 2000000000, which the probe's user namespace "
                                         "does not map (it maps 0 to 1073741823)"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace kiln::verify
