#include "bench/cli/sample.h"

#include <algorithm>

#include "core/error.h"

namespace kiln::bench {

Spread spread_of(std::vector<double> values) {
  if (values.empty()) throw_infra("no samples to summarise");
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  const double median = n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
  return {.min = values.front(), .median = median, .max = values.back()};
}

RowFigures figures_of(const std::vector<Sample>& samples) {
  std::vector<double> wall, cpu, uploaded;
  RowFigures out;
  for (const Sample& s : samples) {
    wall.push_back(s.wall_seconds);
    cpu.push_back(s.cpu_seconds);
    if (s.peak_rss_bytes) out.peak_rss_bytes = std::max(out.peak_rss_bytes.value_or(0), *s.peak_rss_bytes);
    if (s.bytes_uploaded) uploaded.push_back(static_cast<double>(*s.bytes_uploaded));
  }
  out.wall = spread_of(wall);
  out.cpu = spread_of(cpu);
  // Only when every run said: a median over some of the runs would not be the row's.
  if (!uploaded.empty() && uploaded.size() == samples.size())
    out.bytes_uploaded = static_cast<std::int64_t>(spread_of(uploaded).median);
  return out;
}

}  // namespace kiln::bench
