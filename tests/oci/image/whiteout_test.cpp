#include "oci/image/whiteout.h"

#include <gtest/gtest.h>

namespace kiln::oci {
namespace {

TEST(Whiteout, NamesWhatItHides) {
  using K = Whiteout::Kind;
  EXPECT_EQ(whiteout_of("etc/.wh.passwd").kind, K::deletes);
  EXPECT_EQ(whiteout_of("etc/.wh.passwd").target, "etc/passwd");
  EXPECT_EQ(whiteout_of(".wh.tmp").target, "tmp");
  EXPECT_EQ(whiteout_of("var/cache/.wh..wh..opq").kind, K::opaque);
  EXPECT_EQ(whiteout_of("var/cache/.wh..wh..opq").target, "var/cache");
  EXPECT_EQ(whiteout_of("etc/passwd").kind, K::none);
  EXPECT_EQ(whiteout_of("etc/x.wh.y").kind, K::none);
}

TEST(Whiteout, EraseTreeKeepsSiblings) {
  std::map<std::string, int> m{{"a", 1}, {"a/b", 2}, {"a/b/c", 3}, {"ab", 4}};
  erase_tree(m, "a", true);
  EXPECT_EQ(m, (std::map<std::string, int>{{"a", 1}, {"ab", 4}}));
  erase_tree(m, "a", false);
  EXPECT_EQ(m, (std::map<std::string, int>{{"ab", 4}}));
}

}  // namespace
}  // namespace kiln::oci
