#include "inspect/directory_tree.h"

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include <gtest/gtest.h>

#include "core/error.h"
#include "core/temp_dir.h"
#include "tests/support/tools.h"

namespace kiln::inspect {
namespace {

namespace fs = std::filesystem;

void write_file(const fs::path& path, const std::string& contents) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << contents;
}

// A rootfs whose links all point at the host's own files, as a hostile image would.
class DirectoryTreeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    write_file(root() / "etc/passwd", "image-passwd\n");
    fs::create_symlink("/etc/passwd", root() / "abs-passwd");
    fs::create_symlink("../../../../../../../../etc/passwd", root() / "climbing-passwd");
    fs::create_symlink("/etc", root() / "etc-link");
    fs::create_symlink("/etc/shadow", root() / "shadow");  // the host has one; the image has not
    fs::create_directories(root() / "usr/bin");
  }
  const fs::path& root() const { return dir_.path(); }

  TempDir dir_{"kiln-directory-tree"};
};

TEST_F(DirectoryTreeTest, LinksResolveInsideTheRootNeverOnTheHost) {
  const DirectoryTree tree(root());
  for (const char* link : {"/abs-passwd", "/climbing-passwd", "/etc-link/passwd"}) {
    const auto resolved = resolve(tree, link, true);
    ASSERT_EQ(resolved, "/etc/passwd") << link;
    EXPECT_EQ(tree.read(*resolved, 100), "image-passwd\n") << link;
  }
  EXPECT_EQ(resolve(tree, "/shadow", true), std::nullopt);
}

TEST_F(DirectoryTreeTest, PathsAreTakenLiterallyWithoutFollowingAnyLink) {
  const DirectoryTree tree(root());
  // Each of these would reach the host's /etc if a link were followed or ".." honoured.
  EXPECT_EQ(tree.read("/abs-passwd", 100), std::nullopt);
  EXPECT_EQ(tree.sha256("/abs-passwd"), std::nullopt);
  EXPECT_EQ(tree.lstat("/etc-link/passwd"), std::nullopt);
  EXPECT_EQ(tree.read("/etc-link/passwd", 100), std::nullopt);
  EXPECT_TRUE(tree.list("/etc-link").empty());
  EXPECT_EQ(tree.lstat("/../etc/passwd"), std::nullopt);
  EXPECT_EQ(tree.read("/usr/../../etc/shadow", 100), std::nullopt);
}

TEST_F(DirectoryTreeTest, StatReportsTheEntryItself) {
  write_file(root() / "usr/bin/app", "12345");
  ASSERT_EQ(::lchown((root() / "usr/bin/app").c_str(), 1234, 5678), 0);  // before chmod: chown clears set-uid
  ASSERT_EQ(::chmod((root() / "usr/bin/app").c_str(), 04750), 0);
  const DirectoryTree tree(root());
  EXPECT_EQ(tree.lstat("/usr/bin/app"),
            (FileStat{.type = FileStat::Type::file, .mode = 04750, .uid = 1234, .gid = 5678, .size = 5}));
  const auto link = tree.lstat("/abs-passwd");
  ASSERT_TRUE(link);
  EXPECT_EQ(link->type, FileStat::Type::symlink);
  EXPECT_EQ(link->link_target, "/etc/passwd");
  EXPECT_EQ(tree.lstat("/usr")->type, FileStat::Type::directory);
  EXPECT_EQ(tree.lstat("/")->type, FileStat::Type::directory);
  EXPECT_EQ(tree.lstat("/nope"), std::nullopt);
}

TEST_F(DirectoryTreeTest, ListsNamesSorted) {
  write_file(root() / "usr/bin/b", "");
  write_file(root() / "usr/bin/a", "");
  fs::create_directories(root() / "usr/bin/c");
  const DirectoryTree tree(root());
  EXPECT_EQ(tree.list("/usr/bin"), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(tree.list("/"), (std::vector<std::string>{"abs-passwd", "climbing-passwd", "etc", "etc-link", "shadow", "usr"}));
  EXPECT_TRUE(tree.list("/usr/bin/a").empty());
}

TEST_F(DirectoryTreeTest, ReadsAreBoundedAndHashesStream) {
  std::string big;
  for (int i = 0; big.size() < 300 * 1024; ++i) big += std::to_string(i) + ",";
  write_file(root() / "big", big);
  const DirectoryTree tree(root());
  EXPECT_EQ(tree.read("/big", 10), big.substr(0, 10));
  EXPECT_EQ(tree.read("/big", UINT64_MAX), big);
  EXPECT_EQ(tree.read_range("/big", 100000, 7), big.substr(100000, 7));
  EXPECT_EQ(tree.read_range("/big", big.size() - 2, 100), big.substr(big.size() - 2));
  EXPECT_EQ(tree.read_range("/big", big.size() + 5, 100), "");
  const std::string expected = kiln::testing::run_ok({"sha256sum", (root() / "big").string()}).substr(0, 64);
  EXPECT_EQ(tree.sha256("/big"), expected);
  EXPECT_EQ(tree.read("/usr", 10), std::nullopt);  // a directory is not readable as a file
}

TEST_F(DirectoryTreeTest, AFifoIsRefusedInsteadOfBlocking) {
  ASSERT_EQ(::mkfifo((root() / "fifo").c_str(), 0644), 0);
  const DirectoryTree tree(root());
  EXPECT_EQ(tree.lstat("/fifo")->type, FileStat::Type::fifo);
  EXPECT_EQ(tree.read("/fifo", 10), std::nullopt);
  EXPECT_EQ(tree.sha256("/fifo"), std::nullopt);
}

TEST(DirectoryTree, AMissingRootIsAnInfrastructureError) {
  try {
    DirectoryTree tree("/nonexistent/kiln-root");
    FAIL() << "opened a missing root";
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_class(), ExitClass::infra);
    EXPECT_STREQ(e.what(), "cannot open image root /nonexistent/kiln-root: No such file or directory");
  }
}

}  // namespace
}  // namespace kiln::inspect
