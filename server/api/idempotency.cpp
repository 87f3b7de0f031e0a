#include "server/api/idempotency.h"

#include <fmt/format.h>

#include <mutex>
#include <set>
#include <utility>

#include "server/api/http_util.h"
#include "server/queue/retention.h"

namespace kiln::server {
namespace {

constexpr std::size_t kMaxKeyLength = 255;

// Requests with a key being handled now, by (token, key). Only this process can be handling a
// request, so this set is in memory; the answers themselves are in the database.
std::mutex in_flight_mutex;
std::set<std::pair<std::string, std::string>>& in_flight() {
  static std::set<std::pair<std::string, std::string>> keys;
  return keys;
}

// The draft's key is a Structured Field string ("…"); a bare token is taken too. Bounded to
// characters that never need escaping in a log line or a database.
std::string read_key(const std::string& header) {
  std::string key = header;
  if (key.size() >= 2 && key.front() == '"' && key.back() == '"') key = key.substr(1, key.size() - 2);
  if (key.empty() || key.size() > kMaxKeyLength ||
      key.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.:~+/=") != std::string::npos)
    throw ApiError(400, fmt::format("Idempotency-Key: expected 1 to {} letters, digits or -_.:~+/= (a UUID, say)", kMaxKeyLength));
  return key;
}

}  // namespace

IdempotentRequest::IdempotentRequest(ApiContext& ctx, const Request& request) : ctx_(ctx) {
  if (!request.has("Idempotency-Key")) return;
  record_.key = read_key(request.get("Idempotency-Key"));
  record_.scope = ctx.auth.authenticate(request.get("Authorization", "")).value_or("");
  request_line_ = request.getMethod() + " " + request.getURI().substr(0, request.getURI().find('?'));
  record_.status = 201;
  std::lock_guard lock(in_flight_mutex);
  if (!in_flight().emplace(record_.scope, record_.key).second)
    throw ApiError(409, "Idempotency-Key: the first request with this key is still being handled; retry once it has been answered");
  claimed_ = true;
}

void IdempotentRequest::compare(const std::string& canonical_body) {
  if (!claimed_) return;
  record_.fingerprint = ctx_.store.fingerprint(request_line_ + "\n" + canonical_body);
  const auto not_before = now_ms() - std::chrono::milliseconds(kIdempotencyLifetime).count();
  if (auto earlier = ctx_.store.idempotent_answer(record_.scope, record_.key, not_before)) {
    if (earlier->fingerprint != record_.fingerprint)
      throw ApiError(422, "Idempotency-Key: this key was used for a different request (another endpoint or body); use a new key");
    replay_ = std::move(earlier);
    return;
  }
  active_ = true;
}

IdempotentRequest::~IdempotentRequest() { release(); }

void IdempotentRequest::release() {
  if (!claimed_) return;
  claimed_ = false;
  std::lock_guard lock(in_flight_mutex);
  in_flight().erase({record_.scope, record_.key});
}

void mark_replayed(Response& response) { response.set("Idempotent-Replayed", "true"); }

}  // namespace kiln::server
