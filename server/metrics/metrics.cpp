#include "server/metrics/metrics.h"

#include <fmt/format.h>

namespace kiln::server {

void Metrics::observe_build(BuildState, double seconds) {
  std::lock_guard lock(mutex_);
  for (std::size_t i = 0; i < kBuckets.size(); ++i)
    if (seconds <= kBuckets[i]) ++bucket_counts_[i];
  ++count_;
  sum_ += seconds;
}

std::string Metrics::render(const std::map<BuildState, int>& by_state, int running_workers, int concurrency) const {
  std::string out;
  const auto count = [&](BuildState s) { auto it = by_state.find(s); return it == by_state.end() ? 0 : it->second; };
  out += "# HELP kiln_server_queue_depth Builds waiting for a worker.\n# TYPE kiln_server_queue_depth gauge\n";
  out += fmt::format("kiln_server_queue_depth {}\n", count(BuildState::queued));
  out += "# HELP kiln_server_builds Builds known to the server, by state.\n# TYPE kiln_server_builds gauge\n";
  for (BuildState s : {BuildState::queued, BuildState::running, BuildState::succeeded, BuildState::failed, BuildState::cancelled})
    out += fmt::format("kiln_server_builds{{state=\"{}\"}} {}\n", to_string(s), count(s));
  out += "# HELP kiln_server_workers_busy Workers running a build.\n# TYPE kiln_server_workers_busy gauge\n";
  out += fmt::format("kiln_server_workers_busy {}\n", running_workers);
  out += "# HELP kiln_server_concurrency Builds run at once at most.\n# TYPE kiln_server_concurrency gauge\n";
  out += fmt::format("kiln_server_concurrency {}\n", concurrency);
  std::lock_guard lock(mutex_);
  out += "# HELP kiln_server_build_duration_seconds Time from start to end of finished builds.\n"
         "# TYPE kiln_server_build_duration_seconds histogram\n";
  for (std::size_t i = 0; i < kBuckets.size(); ++i)
    out += fmt::format("kiln_server_build_duration_seconds_bucket{{le=\"{}\"}} {}\n", kBuckets[i], bucket_counts_[i]);
  out += fmt::format("kiln_server_build_duration_seconds_bucket{{le=\"+Inf\"}} {}\n", count_);
  out += fmt::format("kiln_server_build_duration_seconds_sum {}\n", sum_);
  out += fmt::format("kiln_server_build_duration_seconds_count {}\n", count_);
  return out;
}

}  // namespace kiln::server
