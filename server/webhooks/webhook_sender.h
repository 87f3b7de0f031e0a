#pragma once
// One attempt to deliver a webhook: POST the signed body to the target and classify the answer.
// The attempt is bounded as a whole (connection, request, answer) by `timeout`, reads at most a
// few KiB of the answer, never follows a redirect, and refuses to talk to a loopback,
// link-local or otherwise special address that an allowed host *name* resolved to.
#include <atomic>
#include <chrono>
#include <optional>
#include <string>

#include "server/webhooks/webhook_target.h"

namespace kiln::server {

/// What is sent; the headers are derived from it (docs/server.md, "Webhooks").
struct WebhookMessage {
  std::string event;        ///< X-Kiln-Event: build.finished | batch.finished
  std::string delivery_id;  ///< X-Kiln-Delivery: the same for every attempt of a delivery
  std::int64_t timestamp = 0;  ///< X-Kiln-Timestamp (unix seconds); also inside the body
  std::string body;         ///< the raw JSON body
  std::string signature;    ///< X-Kiln-Signature-256: sha256=<hex>
};

struct AttemptOutcome {
  enum class Kind {
    delivered,    ///< 2xx
    retry,        ///< no answer, timeout, 408, 429 or 5xx
    give_up,      ///< 3xx (not followed), other 4xx, a refused address
    interrupted,  ///< cut short by a server shutdown
  };
  Kind kind = Kind::retry;
  int status = 0;       ///< the receiver's status; 0 when there was no answer
  std::string error;    ///< what went wrong, for the API view; empty when delivered
  std::optional<std::chrono::milliseconds> retry_after;  ///< the receiver's Retry-After
};

/// The largest part of an answer read (the rest is not read; the connection is closed).
inline constexpr std::size_t kMaxAnswerBytes = 4096;

AttemptOutcome send_webhook(const WebhookTarget& target, const WebhookMessage& message, std::chrono::milliseconds timeout,
                            const std::atomic<bool>& stopping);

}  // namespace kiln::server
