#include "plugin/backend/native/owner_names.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace kiln::plugin {
namespace {

const std::string kPasswd = "root:x:0:0:root:/root:/bin/sh\n# comment\napp:x:1000:1001:App:/home/app:/bin/sh\n";
const std::string kGroup = "root:x:0:\nstaff:x:50:app\napp:x:1001:\n";

std::string owner_error(const std::string& chown, const std::string& passwd = kPasswd) {
  try {
    resolve_owner(chown, passwd, kGroup, "Dockerfile:3");
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

TEST(OwnerNames, NamesAndNumbersOnEitherSide) {
  using P = std::pair<std::uint32_t, std::uint32_t>;
  EXPECT_EQ(resolve_owner("app", kPasswd, kGroup, ""), (P{1000, 1001})) << "a name takes its primary group";
  EXPECT_EQ(resolve_owner("app:staff", kPasswd, kGroup, ""), (P{1000, 50}));
  EXPECT_EQ(resolve_owner("app:7", kPasswd, kGroup, ""), (P{1000, 7}));
  EXPECT_EQ(resolve_owner("42", kPasswd, kGroup, ""), (P{42, 42})) << "a number without group: the same number";
  EXPECT_EQ(resolve_owner("42:staff", kPasswd, kGroup, ""), (P{42, 50}));
  EXPECT_EQ(resolve_owner("root:root", kPasswd, kGroup, ""), (P{0, 0}));
}

TEST(OwnerNames, UnknownNamesNameTheLine) {
  EXPECT_EQ(owner_error("nobody"), "Dockerfile:3: --chown=nobody: no user 'nobody' in the image's /etc/passwd");
  EXPECT_EQ(owner_error("app:wheel"), "Dockerfile:3: --chown=app:wheel: no group 'wheel' in the image's /etc/group");
  EXPECT_EQ(owner_error("app", ""), "Dockerfile:3: --chown=app: no user 'app' in the image's /etc/passwd")
      << "an image without /etc/passwd (scratch) knows no names";
  EXPECT_EQ(owner_error("# comment"), "Dockerfile:3: --chown=# comment: no user '# comment' in the image's /etc/passwd");
}

// Ids past 2^32-2 are refused, naming the instruction: 4294967296 used to wrap to root (0), and
// twenty digits ended the build with "stoul" (exit 3).
TEST(OwnerNames, OutOfRangeIdsAreUsageErrors) {
  EXPECT_EQ(owner_error("4294967296:0"), "Dockerfile:3: --chown=4294967296:0: uid 4294967296 is out of range (0 to 4294967294)");
  EXPECT_EQ(owner_error("0:4294967296"), "Dockerfile:3: --chown=0:4294967296: gid 4294967296 is out of range (0 to 4294967294)");
  EXPECT_EQ(owner_error("4294967295"), "Dockerfile:3: --chown=4294967295: uid 4294967295 is out of range (0 to 4294967294)")
      << "2^32-1 is chown(2)'s 'no change' value, not an id";
  EXPECT_EQ(owner_error("99999999999999999999:0"),
            "Dockerfile:3: --chown=99999999999999999999:0: uid 99999999999999999999 is out of range (0 to 4294967294)");
  EXPECT_EQ(owner_error("-1:0"), "Dockerfile:3: --chown=-1:0: uid -1 is out of range (0 to 4294967294)");
  EXPECT_EQ(owner_error("app:-5"), "Dockerfile:3: --chown=app:-5: gid -5 is out of range (0 to 4294967294)");
  using P = std::pair<std::uint32_t, std::uint32_t>;
  EXPECT_EQ(resolve_owner("4294967294:0", kPasswd, kGroup, ""), (P{4294967294U, 0}));
}

// An image whose /etc/passwd gives a user an id no file can have does not define that user.
TEST(OwnerNames, OutOfRangeIdsInTheImagesFilesAreNoEntry) {
  EXPECT_EQ(owner_error("big", "big:x:4294967296:0::/:/bin/sh\n"),
            "Dockerfile:3: --chown=big: no user 'big' in the image's /etc/passwd");
}

TEST(NumericOwner, NumbersResolveWithoutTheImage) {
  using P = std::pair<std::uint32_t, std::uint32_t>;
  EXPECT_EQ(numeric_owner("1000:100", "Dockerfile:3"), (P{1000, 100}));
  EXPECT_EQ(numeric_owner("1000", "Dockerfile:3"), (P{1000, 1000}));
  EXPECT_FALSE(numeric_owner("app:app", "Dockerfile:3"));
  EXPECT_FALSE(numeric_owner("1000:staff", "Dockerfile:3"));
  EXPECT_THROW(numeric_owner("4294967296:0", "Dockerfile:3"), Error);
  EXPECT_THROW(numeric_owner("app:99999999999999999999", "Dockerfile:3"), Error)
      << "a range error wins over the name on the other side: the build cannot succeed";
}

}  // namespace
}  // namespace kiln::plugin
