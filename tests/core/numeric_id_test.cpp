#include "core/numeric_id.h"

#include <gtest/gtest.h>

namespace kiln {
namespace {

using Kind = ParsedId::Kind;

ParsedId number(std::uint32_t value) { return {.kind = Kind::number, .value = value}; }

TEST(NumericId, NumbersInRange) {
  EXPECT_EQ(parse_numeric_id("0"), number(0));
  EXPECT_EQ(parse_numeric_id("1000"), number(1000));
  EXPECT_EQ(parse_numeric_id("007"), number(7));
  EXPECT_EQ(parse_numeric_id("4294967294"), number(4294967294U));
  EXPECT_EQ(parse_numeric_id("00000000000000000000000001"), number(1)) << "leading zeros are not a large number";
}

TEST(NumericId, NumbersNoIdCanBe) {
  for (const char* text : {"4294967295", "4294967296", "99999999999999999999", "184467440737095516160000", "-1", "-0"})
    EXPECT_EQ(parse_numeric_id(text).kind, Kind::out_of_range) << text;
}

TEST(NumericId, EverythingElseIsAName) {
  for (const char* text : {"", "app", "1a", "+5", " 1", "1 ", "-", "0x10"})
    EXPECT_EQ(parse_numeric_id(text).kind, Kind::name) << "'" << text << "'";
}

}  // namespace
}  // namespace kiln
