#include "bench/cli/sample.h"

#include <gtest/gtest.h>

namespace kiln::bench {

TEST(Sample, SpreadIsMinMedianMax) {
  EXPECT_EQ(spread_of({3, 1, 2}), (Spread{.min = 1, .median = 2, .max = 3}));
  EXPECT_EQ(spread_of({4, 1, 3, 2}), (Spread{.min = 1, .median = 2.5, .max = 4}));
  EXPECT_EQ(spread_of({7}), (Spread{.min = 7, .median = 7, .max = 7}));
}

TEST(Sample, FiguresKeepThePeakAndTheMedianUpload) {
  const RowFigures f = figures_of({{.wall_seconds = 2, .cpu_seconds = 1, .peak_rss_bytes = 10, .bytes_uploaded = 100},
                                   {.wall_seconds = 1, .cpu_seconds = 3, .peak_rss_bytes = 30, .bytes_uploaded = 300},
                                   {.wall_seconds = 3, .cpu_seconds = 2, .peak_rss_bytes = 20, .bytes_uploaded = 200}});
  EXPECT_EQ(f.wall, (Spread{.min = 1, .median = 2, .max = 3}));
  EXPECT_EQ(f.cpu.median, 2);
  EXPECT_EQ(f.peak_rss_bytes, 30);
  EXPECT_EQ(f.bytes_uploaded, 200);
}

TEST(Sample, WhatARunDidNotMeasureStaysUnmeasured) {
  // The in-process floor has no peak of its own; an upload count from some runs only is no median.
  const RowFigures f = figures_of({{.wall_seconds = 1, .cpu_seconds = 1, .peak_rss_bytes = std::nullopt, .bytes_uploaded = 5},
                                   {.wall_seconds = 1, .cpu_seconds = 1, .peak_rss_bytes = std::nullopt, .bytes_uploaded = std::nullopt}});
  EXPECT_FALSE(f.peak_rss_bytes);
  EXPECT_FALSE(f.bytes_uploaded);
}

}  // namespace kiln::bench
