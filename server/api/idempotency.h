#pragma once
// Idempotency-Key (https://datatracker.ietf.org/doc/draft-ietf-httpapi-idempotency-key-header/):
// a client that retries a POST after a lost answer gets the first answer again instead of a
// second build. Keys belong to the token that sent them. The same key with a different request
// is 422; the same key while its first request is still being handled is 409. Answers are kept
// (in the database, across restarts) for kIdempotencyLifetime.
#include <optional>
#include <string>

#include "server/api/api_context.h"
#include "server/api/routes.h"

namespace kiln::server {

class IdempotentRequest {
 public:
  /// Reads the request's Idempotency-Key (none: an inactive guard) and claims it, before the
  /// body is read. Throws ApiError 400 (a malformed key) or 409 (the key's first request is
  /// still being handled).
  IdempotentRequest(ApiContext& ctx, const Request& request);
  /// Once the body is in: `canonical_body` is what makes two requests the same (the parsed JSON,
  /// dumped). Throws ApiError 422 when the key was used for a different request.
  void compare(const std::string& canonical_body);
  ~IdempotentRequest();
  IdempotentRequest(const IdempotentRequest&) = delete;
  IdempotentRequest& operator=(const IdempotentRequest&) = delete;

  /// The first answer to repeat (status and resource id), when this is a repeat.
  const std::optional<IdempotencyRecord>& replay() const { return replay_; }
  /// What to store with the new resource (in the same transaction); null without a key.
  const IdempotencyRecord* record() const { return active_ ? &record_ : nullptr; }

 private:
  void release();

  ApiContext& ctx_;
  std::string request_line_;  // method and path
  bool active_ = false;
  bool claimed_ = false;
  IdempotencyRecord record_;
  std::optional<IdempotencyRecord> replay_;
};

/// Marks a repeated answer: `Idempotent-Replayed: true`.
void mark_replayed(Response& response);

}  // namespace kiln::server
