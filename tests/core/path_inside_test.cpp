// resolve_inside: what a path really reaches, judged against a root it must not leave.
#include "core/path_inside.h"

#include <gtest/gtest.h>

#include <fstream>

#include "core/temp_dir.h"

namespace kiln {
namespace {

namespace fs = std::filesystem;

class PathInside : public ::testing::Test {
 protected:
  PathInside() {
    fs::create_directories(root() / "sub");
    std::ofstream(root() / "file") << "x";
    std::ofstream(dir.path() / "outside") << "secret";
  }
  fs::path root() const { return dir.path() / "root"; }
  bool inside(const fs::path& p) const { return resolve_inside(root(), p).has_value(); }

  TempDir dir{"kiln-path-inside"};
};

}  // namespace

TEST_F(PathInside, PlainPathsInsideTheRootAreInside) {
  EXPECT_EQ(resolve_inside(root(), "sub/../file"), root() / "file");
  EXPECT_TRUE(inside("."));
  EXPECT_TRUE(inside("missing/later"));
  EXPECT_TRUE(inside(root() / "file"));
}

TEST_F(PathInside, DotDotAndAbsolutePathsOutsideAreNot) {
  EXPECT_FALSE(inside(".."));
  EXPECT_FALSE(inside("../outside"));
  EXPECT_FALSE(inside("sub/../../outside"));
  EXPECT_FALSE(inside(dir.path() / "outside"));
  EXPECT_FALSE(inside("/"));
  // A sibling whose name starts with the root's is not inside it.
  fs::create_directories(dir.path() / "root-other");
  EXPECT_FALSE(inside(dir.path() / "root-other"));
}

TEST_F(PathInside, SymlinksAreFollowedEvenDanglingOnes) {
  fs::create_symlink(dir.path() / "outside", root() / "out");
  fs::create_symlink("../../outside", root() / "sub/out-relative");
  fs::create_symlink(dir.path() / "not-yet", root() / "dangling");
  fs::create_symlink(dir.path(), root() / "up");
  fs::create_symlink("file", root() / "in");
  EXPECT_FALSE(inside("out"));
  EXPECT_FALSE(inside("sub/out-relative"));
  EXPECT_FALSE(inside("dangling")) << "where a file would be created later counts";
  EXPECT_FALSE(inside("up/outside"));
  EXPECT_EQ(resolve_inside(root(), "up/root/file"), root() / "file") << "a detour out and back in lands inside";
  EXPECT_EQ(resolve_inside(root(), "in"), root() / "file");
  // ".." applies to where a symlink led, as the kernel does.
  EXPECT_FALSE(inside("up/.."));
}

TEST_F(PathInside, ASymlinkLoopIsNotInside) {
  fs::create_symlink("b", root() / "a");
  fs::create_symlink("a", root() / "b");
  EXPECT_FALSE(inside("a"));
}

}  // namespace kiln
