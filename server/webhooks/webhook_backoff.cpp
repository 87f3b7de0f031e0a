#include "server/webhooks/webhook_backoff.h"

#include <algorithm>
#include <random>

namespace kiln::server {

std::chrono::milliseconds webhook_retry_wait(int attempts_done, const WebhookSettings& settings,
                                             std::optional<std::chrono::milliseconds> retry_after) {
  using std::chrono::milliseconds;
  const int doublings = std::clamp(attempts_done - 1, 0, 30);
  const auto grown = settings.retry_base.count() * (std::int64_t{1} << std::min(doublings, 20));
  const std::int64_t ceiling = std::min<std::int64_t>(grown, settings.retry_max.count());
  thread_local std::mt19937_64 random{std::random_device{}()};
  std::uniform_int_distribution<std::int64_t> upper_half(ceiling / 2, ceiling);
  milliseconds wait(upper_half(random));
  if (retry_after) wait = std::max(wait, std::min(*retry_after, settings.retry_max));
  return wait;
}

}  // namespace kiln::server
