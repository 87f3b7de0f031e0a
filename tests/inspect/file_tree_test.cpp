#include "inspect/file_tree.h"

#include <gtest/gtest.h>

#include "tests/inspect/memory_tree.h"

namespace kiln::inspect {
namespace {

using testing::MemoryTree;

// A merged-/usr image in miniature, with the links that trip up naive resolvers.
MemoryTree sample_tree() {
  MemoryTree tree;
  tree.dir("/bin").file("/bin/busybox", "bb", 0755).link("/bin/sh", "busybox").link("/bin/abs", "/bin/busybox");
  tree.dir("/usr").dir("/usr/lib").file("/usr/lib/libc.so.6", "libc").link("/usr/lib/libc.so", "libc.so.6");
  tree.link("/lib", "usr/lib").link("/usr/lib/up", "../../bin");
  tree.dir("/etc").file("/etc/passwd", "root:x:0:0").link("/etc/escape", "../../../../etc/passwd");
  tree.link("/etc/host-passwd", "/../../etc/passwd").link("/etc/dotdot", "../..").link("/etc/root", "/");
  tree.link("/loop1", "loop2").link("/loop2", "loop1").link("/self", "self").link("/dangling", "/nowhere");
  tree.link("/chain1", "chain2").link("/chain2", "/chain3").link("/chain3", "bin/sh");
  tree.link("/empty-target", "");
  return tree;
}

TEST(Resolve, FollowsLinksAsTheKernelDoesAfterChroot) {
  const MemoryTree tree = sample_tree();
  struct Row {
    const char* path;
    bool follow_last;
    std::optional<std::string> expected;
  };
  const Row rows[] = {
      {"/", true, "/"},
      {"/bin/busybox", true, "/bin/busybox"},
      {"/bin/sh", false, "/bin/sh"},                  // the link itself
      {"/bin/sh", true, "/bin/busybox"},              // relative target, against its directory
      {"/bin/abs", true, "/bin/busybox"},             // absolute target, against the image root
      {"/lib/libc.so", false, "/usr/lib/libc.so"},    // intermediate /lib -> usr/lib followed
      {"/lib/libc.so", true, "/usr/lib/libc.so.6"},
      {"/lib/up/sh", true, "/bin/busybox"},           // links through links through links
      {"/chain1", true, "/bin/busybox"},
      {"/lib/../etc/passwd", true, std::nullopt},     // ".." after a link is /usr/.., not /
      {"/lib/../lib/libc.so.6", true, "/usr/lib/libc.so.6"},
      {"/usr/lib/../../etc/passwd", true, "/etc/passwd"},
      {"/../../etc/passwd", true, "/etc/passwd"},     // ".." never above "/"
      {"/etc/escape", true, "/etc/passwd"},           // a link cannot climb out either
      {"/etc/host-passwd", true, "/etc/passwd"},
      {"/etc/dotdot", true, "/"},
      {"/etc/root", true, "/"},
      {"/etc/root/etc/passwd", true, "/etc/passwd"},
      {"bin/sh", true, "/bin/busybox"},               // relative paths start at the root
      {"//bin//./sh", true, "/bin/busybox"},
      {"/lib/", false, "/usr/lib"},                   // a trailing slash follows the last link
      {"/loop1", false, "/loop1"},                    // not followed: no loop
      {"/loop1", true, std::nullopt},
      {"/self", true, std::nullopt},
      {"/loop1/x", false, std::nullopt},
      {"/dangling", false, "/dangling"},
      {"/dangling", true, std::nullopt},
      {"/empty-target", true, std::nullopt},
      {"/missing", true, std::nullopt},
      {"/missing", false, std::nullopt},
      {"/bin/busybox/x", true, std::nullopt},         // a file is not a directory
  };
  for (const auto& row : rows)
    EXPECT_EQ(resolve(tree, row.path, row.follow_last), row.expected) << row.path << " follow_last=" << row.follow_last;
}

TEST(Resolve, FollowsFortyLinksAndNoMore) {
  MemoryTree tree;
  tree.file("/target", "x");
  // /l1 -> /l2 -> ... -> /l40 -> /target is forty links: Linux's MAXSYMLINKS.
  for (int i = 1; i <= 40; ++i) tree.link("/l" + std::to_string(i), i == 40 ? "/target" : "l" + std::to_string(i + 1));
  tree.link("/l0", "l1");
  EXPECT_EQ(resolve(tree, "/l1", true), "/target");
  EXPECT_EQ(resolve(tree, "/l0", true), std::nullopt);
}

TEST(FileTree, DefaultReadRangeCutsThePrefixThatReadReturns) {
  // A tree that only implements read(), as a layer index may.
  struct PrefixOnly : FileTree {
    std::optional<FileStat> lstat(std::string_view) const override { return FileStat{}; }
    std::vector<std::string> list(std::string_view) const override { return {}; }
    std::optional<std::string> read(std::string_view path, std::uint64_t max_bytes) const override {
      if (path != "/f") return std::nullopt;
      return std::string("0123456789").substr(0, max_bytes);
    }
    std::optional<std::string> sha256(std::string_view) const override { return std::nullopt; }
  } tree;
  EXPECT_EQ(tree.read_range("/f", 2, 3), "234");
  EXPECT_EQ(tree.read_range("/f", 8, 100), "89");
  EXPECT_EQ(tree.read_range("/f", 20, 5), "");
  EXPECT_EQ(tree.read_range("/f", 1, UINT64_MAX), "123456789");  // no overflow of offset + length
  EXPECT_EQ(tree.read_range("/g", 0, 5), std::nullopt);
}

TEST(ParentDirectory, OfAnAbsoluteImagePath) {
  EXPECT_EQ(parent_directory("/usr/lib/libc.so.6"), "/usr/lib");
  EXPECT_EQ(parent_directory("/main"), "/");
  EXPECT_EQ(parent_directory("/"), "/");
  EXPECT_EQ(parent_directory("relative"), "/");
}

}  // namespace
}  // namespace kiln::inspect
