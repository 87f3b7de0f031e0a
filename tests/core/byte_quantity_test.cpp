#include "core/byte_quantity.h"

#include <gtest/gtest.h>

namespace kiln {

TEST(ByteQuantity, ReadsKubernetesQuantities) {
  struct Row { const char* text; std::uint64_t bytes; };
  for (const Row& r : {Row{"0", 0}, Row{"1048576", 1048576}, Row{"512Mi", 512ull << 20}, Row{"2Gi", 2ull << 30},
                       Row{"64Ki", 64ull << 10}, Row{"1G", 1'000'000'000}, Row{"5M", 5'000'000}, Row{"3k", 3000},
                       Row{"15Ei", 15ull << 60}, Row{"18446744073709551615", UINT64_MAX}})
    EXPECT_EQ(parse_byte_quantity(r.text), r.bytes) << r.text;
  for (const char* bad : {"", "Mi", "-1Mi", "1.5Gi", "2GB", "2 Gi", "2gi", "1K", "16Ei", "18446744073709551616"})
    EXPECT_FALSE(parse_byte_quantity(bad)) << bad;
}

TEST(ByteQuantity, WritesTheShortestExactBinaryForm) {
  EXPECT_EQ(format_byte_quantity(512ull << 20), "512Mi");
  EXPECT_EQ(format_byte_quantity(2ull << 30), "2Gi");
  EXPECT_EQ(format_byte_quantity(1536ull << 20), "1536Mi");
  EXPECT_EQ(format_byte_quantity(1000), "1000");
  EXPECT_EQ(format_byte_quantity(0), "0");
  for (const std::uint64_t bytes : {1ull, 1024ull, 3ull << 40, 12345678ull})
    EXPECT_EQ(parse_byte_quantity(format_byte_quantity(bytes)), bytes) << bytes;
}

}  // namespace kiln
