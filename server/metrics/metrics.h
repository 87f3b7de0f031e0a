#pragma once
// Prometheus text exposition of what an operator alerts on: queue depth, builds by state and a
// histogram of build durations (observed since this server started).
#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "server/store/build_record.h"

namespace kiln::server {

class Metrics {
 public:
  /// A build that reached a final state after `seconds` of running.
  void observe_build(BuildState final_state, double seconds);
  /// The exposition text; `by_state` comes from the store (it survives restarts).
  std::string render(const std::map<BuildState, int>& by_state, int running_workers, int concurrency) const;

 private:
  static constexpr std::array<double, 10> kBuckets{0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900};
  mutable std::mutex mutex_;
  std::array<std::uint64_t, kBuckets.size()> bucket_counts_{};
  std::uint64_t count_ = 0;
  double sum_ = 0;
};

}  // namespace kiln::server
