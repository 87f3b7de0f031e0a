// Trimming and splitting, as settings, tag files, env files and ld.so.conf use them.
#include "core/text.h"

#include <gtest/gtest.h>

namespace kiln {
namespace {

TEST(Trim, RemovesAsciiWhitespaceAtBothEnds) {
  EXPECT_EQ(trim("  a b \t\r\n"), "a b");
  EXPECT_EQ(trim("\v\fx\f"), "x");
  EXPECT_EQ(trim(" \t\r\n"), "");
  EXPECT_EQ(trim(""), "");
  EXPECT_EQ(trim("x"), "x");
}

TEST(Split, KeepsEveryPieceAsItIs) {
  EXPECT_EQ(split("root:x:0:0::/root:/bin/sh", ':'),
            (std::vector<std::string>{"root", "x", "0", "0", "", "/root", "/bin/sh"}));
  EXPECT_EQ(split("", ','), (std::vector<std::string>{""}));
  EXPECT_EQ(split("a,", ','), (std::vector<std::string>{"a", ""}));
  EXPECT_EQ(split(" a ", ','), (std::vector<std::string>{" a "}));
}

TEST(SplitTrimmed, TrimsAndDropsEmptyPiecesOnAnySeparator) {
  EXPECT_EQ(split_trimmed("latest, 1.2 ,,\n 1\r\n", ",\n"), (std::vector<std::string>{"latest", "1.2", "1"}));
  EXPECT_EQ(split_trimmed("a;b\nc,d", ",\n;"), (std::vector<std::string>{"a", "b", "c", "d"}));
  EXPECT_TRUE(split_trimmed(" , \n ", ",\n").empty());
  EXPECT_TRUE(split_trimmed("", ",").empty());
  EXPECT_EQ(split_trimmed("one two", ","), (std::vector<std::string>{"one two"}));
}

}  // namespace
}  // namespace kiln

TEST(Ending, KeepsShortTextAndCutsLongTextOnACharacterBoundary) {
  EXPECT_EQ(kiln::ending("short", 5), "short");
  EXPECT_EQ(kiln::ending("0123456789", 4), "…6789");
  // "é" is two bytes; a cut that would start inside it starts after it instead.
  EXPECT_EQ(kiln::ending("abcé", 1), "…");
  EXPECT_EQ(kiln::ending("abcéz", 2), "…z");
  EXPECT_EQ(kiln::ending("abcéz", 3), "…éz");
}
