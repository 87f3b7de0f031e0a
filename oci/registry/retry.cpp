#include "oci/registry/retry.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <random>
#include <thread>

namespace kiln::oci {

std::optional<std::chrono::seconds> parse_retry_after(std::string_view value) {
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  long long seconds = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (value.empty() || ec != std::errc() || end != value.data() + value.size() || seconds < 0) return std::nullopt;
  return std::chrono::seconds(seconds);
}

std::chrono::milliseconds retry_delay(const Backoff& backoff, int failed_attempts,
                                      std::optional<std::chrono::seconds> retry_after, double jitter) {
  double base = static_cast<double>(backoff.initial.count());
  for (int i = 1; i < failed_attempts && base < static_cast<double>(backoff.max.count()); ++i) base *= 2;
  base = std::min(base, static_cast<double>(backoff.max.count()));
  // Jitter spreads out CI jobs that failed together so they do not retry in lock step.
  auto delay = std::chrono::milliseconds(static_cast<std::int64_t>(base * (0.8 + 0.4 * jitter)));
  if (retry_after) delay = std::max<std::chrono::milliseconds>(delay, std::min(*retry_after, backoff.max_retry_after));
  return delay;
}

Retrier::Retrier(Backoff backoff, Sleep sleep) : backoff_(backoff), sleep_(std::move(sleep)) {
  if (!sleep_) sleep_ = [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
}

void Retrier::wait_after(int failed_attempts, const RegistryError& error, std::string_view what,
                         const Backoff& backoff) {
  thread_local std::mt19937 rng{std::random_device{}()};
  const double jitter = std::uniform_real_distribution<double>(0.0, 1.0)(rng);
  const auto delay = retry_delay(backoff, failed_attempts, error.retry_after(), jitter);
  spdlog::warn("{} (attempt {} of {}); retrying {} in {} ms", error.what(), failed_attempts, backoff_.max_attempts,
               what, delay.count());
  sleep_(delay);
}

}  // namespace kiln::oci
