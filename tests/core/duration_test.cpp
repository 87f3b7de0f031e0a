#include "core/duration.h"

#include <gtest/gtest.h>

namespace kiln {

TEST(GoDuration, ParsesWhatGoWrites) {
  using std::chrono::nanoseconds;
  struct Row { const char* text; std::int64_t ns; };
  for (const Row& r : {Row{"30s", 30'000'000'000}, Row{"1m30s", 90'000'000'000}, Row{"500ms", 500'000'000},
                       Row{"1.5h", 5'400'000'000'000}, Row{"2us", 2'000}, Row{"7ns", 7}})
    EXPECT_EQ(parse_go_duration(r.text), nanoseconds(r.ns)) << r.text;
  for (const char* bad : {"", "30", "s", "1d", "1.2.3s", "-5s"}) EXPECT_FALSE(parse_go_duration(bad)) << bad;
}

TEST(GoDuration, FormatsWholeSecondsShortest) {
  EXPECT_EQ(format_go_duration(std::chrono::hours(6)), "6h");
  EXPECT_EQ(format_go_duration(std::chrono::minutes(90)), "90m");
  EXPECT_EQ(format_go_duration(std::chrono::seconds(45)), "45s");
  EXPECT_EQ(format_go_duration(std::chrono::seconds(0)), "0s");
}

}  // namespace kiln
