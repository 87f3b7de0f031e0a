#include "verify/driver/local/image_user.h"

#include <gtest/gtest.h>

#include <fstream>

#include "core/error.h"
#include "core/temp_dir.h"
#include "inspect/directory_tree.h"

namespace kiln::verify {
namespace {

class ImageUser : public ::testing::Test {
 protected:
  ImageUser() {
    std::filesystem::create_directories(dir_.path() / "etc");
    std::ofstream(dir_.path() / "etc/passwd") << "root:x:0:0:root:/root:/bin/sh\n# comment\n"
                                                 "app:x:1000:1001::/home/app:/bin/sh\nnobody:x:65534:65534::/:/bin/false\n";
    std::ofstream(dir_.path() / "etc/group") << "root:x:0:\napp:x:1001:\nextra:x:2000:nobody,app\nstaff:x:50:\n";
  }
  ProcessUser user(std::string_view text) { return resolve_image_user(text, inspect::DirectoryTree(dir_.path())); }
  TempDir dir_{"kiln-image-user"};
};

TEST_F(ImageUser, ResolvesNamesAndNumbersThroughTheImagesOwnDatabases) {
  EXPECT_EQ(user(""), (ProcessUser{.uid = 0, .gid = 0, .additional_gids = {}}));
  EXPECT_EQ(user("app"), (ProcessUser{.uid = 1000, .gid = 1001, .additional_gids = {1001, 2000}}));
  EXPECT_EQ(user("1000"), (ProcessUser{.uid = 1000, .gid = 1001, .additional_gids = {1001, 2000}}));
  EXPECT_EQ(user("4242"), (ProcessUser{.uid = 4242, .gid = 0, .additional_gids = {}})) << "not in passwd: gid 0";
  EXPECT_EQ(user("app:staff"), (ProcessUser{.uid = 1000, .gid = 50, .additional_gids = {}}));
  EXPECT_EQ(user("4242:4343"), (ProcessUser{.uid = 4242, .gid = 4343, .additional_gids = {}}));
}

TEST_F(ImageUser, UnknownNamesAreInfraErrorsNamingThem) {
  try {
    user("ghost");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_class(), ExitClass::infra);
    EXPECT_STREQ(e.what(), "the image's User \"ghost\": no user \"ghost\" in the image's /etc/passwd");
  }
  try {
    user("app:wheel");
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "the image's User \"app:wheel\": no group \"wheel\" in the image's /etc/group");
  }
}

TEST_F(ImageUser, AnEtcPasswdLinkingOutOfTheImageIsNotFollowedToTheHost) {
  std::filesystem::remove(dir_.path() / "etc/passwd");
  std::filesystem::create_symlink("/etc/passwd", dir_.path() / "etc/passwd");  // the image's own /etc/passwd: itself
  EXPECT_THROW(user("root:root"), Error) << "a loop inside the image, never the host's file";
}

}  // namespace
}  // namespace kiln::verify
