#include "verify/report/xml_text.h"

#include <gtest/gtest.h>

namespace kiln::verify {
namespace {

TEST(XmlText, KeepsValidTextAndTabsNewlines) {
  EXPECT_EQ(xml_text("héllo\tworld\r\n✓ 𝄞"), "héllo\tworld\r\n✓ 𝄞");
}

TEST(XmlText, DropsForbiddenCharactersAndReplacesBadUtf8) {
  EXPECT_EQ(xml_text(std::string("a\0b\x01\x1f" "c", 6)), "abc");
  EXPECT_EQ(xml_text("\xef\xbf\xbe\xef\xbf\xbf"), "");                      // U+FFFE, U+FFFF
  EXPECT_EQ(xml_text("\xff" "x"), "\xef\xbf\xbdx");                         // stray byte
  EXPECT_EQ(xml_text("\xc0\xaf"), "\xef\xbf\xbd\xef\xbf\xbd");              // overlong "/"
  EXPECT_EQ(xml_text("\xed\xa0\x80"), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");  // surrogate
  EXPECT_EQ(xml_text("\xe2\x9c"), "\xef\xbf\xbd\xef\xbf\xbd");              // cut sequence
}

TEST(XmlText, TruncatesOnACharacterBoundaryAndSaysSo) {
  EXPECT_EQ(xml_text("abcdef", 3), "abc\n[kiln: truncated, 3 of 6 bytes shown]");
  EXPECT_EQ(xml_text("aé", 2), "a\n[kiln: truncated, 1 of 3 bytes shown]");  // é not split
  EXPECT_EQ(xml_text("abc", 3), "abc");
}

}  // namespace
}  // namespace kiln::verify
