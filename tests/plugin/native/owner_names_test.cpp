#include "plugin/native/owner_names.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace kiln::plugin {
namespace {

const std::string kPasswd = "root:x:0:0:root:/root:/bin/sh\n# comment\napp:x:1000:1001:App:/home/app:/bin/sh\n";
const std::string kGroup = "root:x:0:\nstaff:x:50:app\napp:x:1001:\n";

std::string error_of(const std::string& chown, const std::string& passwd = kPasswd) {
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
  EXPECT_EQ(error_of("nobody"), "Dockerfile:3: --chown=nobody: no user 'nobody' in the image's /etc/passwd");
  EXPECT_EQ(error_of("app:wheel"), "Dockerfile:3: --chown=app:wheel: no group 'wheel' in the image's /etc/group");
  EXPECT_EQ(error_of("app", ""), "Dockerfile:3: --chown=app: no user 'app' in the image's /etc/passwd")
      << "an image without /etc/passwd (scratch) knows no names";
  EXPECT_EQ(error_of("# comment"), "Dockerfile:3: --chown=# comment: no user '# comment' in the image's /etc/passwd");
}

}  // namespace
}  // namespace kiln::plugin
