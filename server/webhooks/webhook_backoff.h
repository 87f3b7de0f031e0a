#pragma once
// When to try a webhook again: exponential backoff with jitter, so that receivers that failed
// together are not called again together. A receiver's Retry-After is honoured up to retry_max.
#include <chrono>
#include <optional>

#include "server/webhooks/webhook_settings.h"

namespace kiln::server {

/// The wait after attempt `attempts_done` (1, 2, …) failed: a random point in the upper half of
/// retry_base * 2^(attempts_done - 1), that capped at retry_max; at least `retry_after`
/// (itself capped at retry_max) when the receiver sent one.
std::chrono::milliseconds webhook_retry_wait(int attempts_done, const WebhookSettings& settings,
                                             std::optional<std::chrono::milliseconds> retry_after);

}  // namespace kiln::server
