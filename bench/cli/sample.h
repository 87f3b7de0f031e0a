#pragma once
// What one run of one row measured, and the figures of a row's runs.
#include <cstdint>
#include <optional>
#include <vector>

namespace kiln::bench {

struct Sample {
  double wall_seconds = 0;
  double cpu_seconds = 0;
  std::optional<std::int64_t> peak_rss_bytes;  ///< none: not measured (the in-process floor)
  std::optional<std::int64_t> bytes_uploaded;  ///< none: the builder does not say
  friend bool operator==(const Sample&, const Sample&) = default;
};

struct Spread {
  double min = 0, median = 0, max = 0;
  friend bool operator==(const Spread&, const Spread&) = default;
};

/// The runs' figures: wall and CPU spread, the largest peak memory, the median bytes uploaded.
struct RowFigures {
  Spread wall;
  Spread cpu;
  std::optional<std::int64_t> peak_rss_bytes;
  std::optional<std::int64_t> bytes_uploaded;
  friend bool operator==(const RowFigures&, const RowFigures&) = default;
};

/// Median of an odd count is the middle value; of an even count the mean of the two middle
/// ones. `values` must not be empty.
Spread spread_of(std::vector<double> values);

/// The figures of `samples` (not empty).
RowFigures figures_of(const std::vector<Sample>& samples);

}  // namespace kiln::bench
