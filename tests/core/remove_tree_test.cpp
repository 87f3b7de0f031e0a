#include "core/remove_tree.h"

#include <gtest/gtest.h>

#include <fstream>

#include "core/temp_dir.h"

namespace kiln {
namespace {

namespace fs = std::filesystem;

// Links inside the tree are removed as links: what they point at, here a directory outside
// the tree with a file in it, stays.
TEST(RemoveTree, RemovesLinksNotWhatTheyPointAt) {
  const TempDir work("kiln-remove-tree");
  const fs::path outside = work.path() / "outside", tree = work.path() / "tree";
  fs::create_directories(outside / "deep");
  std::ofstream(outside / "deep/precious") << "keep";
  fs::create_directories(tree / "a/b");
  std::ofstream(tree / "a/b/file") << "x";
  fs::create_directory_symlink(outside, tree / "a/to-outside");
  fs::create_symlink(outside / "deep/precious", tree / "a/b/to-file");
  fs::create_symlink("dangling-target", tree / "dangling");

  EXPECT_TRUE(remove_tree(tree));
  EXPECT_FALSE(fs::exists(fs::symlink_status(tree)));
  EXPECT_TRUE(fs::exists(outside / "deep/precious"));
}

// The path itself a link: the link goes, its target stays.
TEST(RemoveTree, APathThatIsALinkIsNotFollowed) {
  const TempDir work("kiln-remove-tree");
  fs::create_directories(work.path() / "target");
  std::ofstream(work.path() / "target/file") << "keep";
  fs::create_directory_symlink(work.path() / "target", work.path() / "link");
  EXPECT_TRUE(remove_tree(work.path() / "link"));
  EXPECT_FALSE(fs::exists(fs::symlink_status(work.path() / "link")));
  EXPECT_TRUE(fs::exists(work.path() / "target/file"));
}

TEST(RemoveTree, FilesAndMissingPaths) {
  const TempDir work("kiln-remove-tree");
  std::ofstream(work.path() / "file") << "x";
  EXPECT_TRUE(remove_tree(work.path() / "file"));
  EXPECT_FALSE(fs::exists(work.path() / "file"));
  EXPECT_TRUE(remove_tree(work.path() / "never-there"));
}

// A deep tree is emptied level by level, each relative to the one above.
TEST(RemoveTree, DeepTrees) {
  const TempDir work("kiln-remove-tree");
  fs::path deep = work.path() / "tree";
  for (int i = 0; i < 200; ++i) deep /= "d";
  fs::create_directories(deep);
  std::ofstream(deep / "file") << "x";
  EXPECT_TRUE(remove_tree(work.path() / "tree"));
  EXPECT_FALSE(fs::exists(work.path() / "tree"));
}

}  // namespace
}  // namespace kiln
