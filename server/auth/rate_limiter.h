#pragma once
// Per-token rate limit: a token bucket per key, refilled at `per_second` up to `burst`.
#include <chrono>
#include <map>
#include <mutex>
#include <string>

namespace kiln::server {

class RateLimiter {
 public:
  RateLimiter(double per_second, int burst) : rate_(per_second), burst_(burst) {}
  /// Takes one request from `key`'s bucket: 0 when allowed, else the whole seconds to wait
  /// (the Retry-After value, at least 1).
  int acquire(const std::string& key);

 private:
  struct Bucket {
    double tokens;
    std::chrono::steady_clock::time_point updated;
  };
  double rate_;
  int burst_;
  std::mutex mutex_;
  std::map<std::string, Bucket> buckets_;
};

}  // namespace kiln::server
