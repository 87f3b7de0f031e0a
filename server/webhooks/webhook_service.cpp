#include "server/webhooks/webhook_service.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "core/error.h"
#include "server/store/random_id.h"
#include "server/webhooks/webhook_backoff.h"
#include "server/webhooks/webhook_payload.h"
#include "server/webhooks/webhook_sender.h"
#include "server/webhooks/webhook_target.h"

namespace kiln::server {
namespace {

constexpr auto kPoll = std::chrono::milliseconds(250);
// A deleted build or batch leaves its webhook row behind; rows of subjects that are gone are
// removed this often (not every poll: the sweep reads every finished row).
constexpr auto kOrphanSweep = std::chrono::seconds(5);

}  // namespace

WebhookService::WebhookService(const WebhookSettings& settings, WebhookSigner signer, const std::string& database_file,
                               const BuildStore& builds)
    : settings_(settings), signer_(std::move(signer)), builds_(builds), store_(database_file) {}

WebhookService::~WebhookService() {
  stopping_ = true;
  wake_.notify_all();
  for (auto& t : workers_) t.join();
}

void WebhookService::start() {
  for (int i = 0; i < settings_.workers; ++i) workers_.emplace_back([this] { work(); });
}

void WebhookService::subscribe(const std::string& kind, const std::string& subject_id, const std::string& url) {
  store_.subscribe(kind, subject_id, url);
  wake_.notify_one();
}

void WebhookService::add_view(oci::Json& subject, const std::string& subject_id) const {
  const auto r = store_.get(subject_id);
  if (!r) return;
  subject["webhook"] = {{"url", r->url},
                        {"state", to_string(r->state)},
                        {"delivery_id", r->delivery_id},
                        {"attempts", r->attempts},
                        {"last_status", r->last_status},
                        {"last_error", r->last_error},
                        {"next_attempt_ms", r->state == DeliveryState::pending ? r->next_attempt_ms : 0},
                        {"finished_ms", r->finished_ms}};
}

void WebhookService::work() {
  while (!stopping_) {
    std::optional<WebhookRecord> next;
    try {
      fire_ready();
      next = claim();
    } catch (const std::exception& e) {
      spdlog::error("webhooks: cannot read the pending deliveries: {}", e.what());
    }
    if (!next) {
      std::unique_lock lock(mutex_);
      wake_.wait_for(lock, kPoll);
      continue;
    }
    try {
      attempt(*next);
    } catch (const std::exception& e) {
      spdlog::error("webhook {} of {} {}: {}", next->delivery_id, next->kind, next->subject_id, e.what());
    }
    std::lock_guard lock(mutex_);
    in_flight_.erase(next->subject_id);
  }
}

// A subject is final: compose its body once, from the state now recorded.
void WebhookService::fire_ready() {
  std::lock_guard lock(firing_);  // one composer at a time; fire() itself is idempotent
  if (const auto now = std::chrono::steady_clock::now(); now >= next_orphan_sweep_) {
    next_orphan_sweep_ = now + kOrphanSweep;
    if (const int forgotten = store_.forget_orphans())
      spdlog::info("webhooks: forgot {} webhook(s) of deleted builds or batches", forgotten);
  }
  for (const WebhookRecord& r : store_.ready_to_fire()) {
    const std::string delivery_id = "whd-" + random_hex(12);
    oci::Json event;
    if (r.kind == "build") {
      const auto build = builds_.get(r.subject_id);
      if (!build) continue;
      event = build_event(delivery_id, *build);
    } else {
      event = batch_event(delivery_id, r.subject_id, builds_.batch(r.subject_id));
    }
    if (store_.fire(r.subject_id, delivery_id, event.dump()))
      spdlog::info("webhook {} of {} {}: due", delivery_id, r.kind, r.subject_id);
  }
}

std::optional<WebhookRecord> WebhookService::claim() {
  const auto due = store_.due(now_ms(), settings_.workers + 1);
  std::lock_guard lock(mutex_);
  for (const auto& r : due) {
    if (in_flight_.count(r.subject_id)) continue;
    in_flight_.insert(r.subject_id);
    return r;
  }
  return std::nullopt;
}

void WebhookService::attempt(const WebhookRecord& r) {
  const std::string who = fmt::format("webhook {} of {} {}", r.delivery_id, r.kind, r.subject_id);
  WebhookTarget target;
  try {
    target = check_webhook_url(r.url, settings_);  // the allow-list may have changed since submission
  } catch (const kiln::Error& e) {
    store_.record(r.subject_id, DeliveryState::failed, 0, fmt::format("not sent: the URL is no longer allowed: {}", e.what()), 0);
    spdlog::warn("{}: not sent: {}", who, e.what());
    return;
  }
  store_.begin_attempt(r.subject_id);
  const int attempt_no = r.attempts + 1;
  WebhookMessage message{.event = r.kind + ".finished",
                         .delivery_id = r.delivery_id,
                         .timestamp = now_ms() / 1000,
                         .body = {},
                         .signature = {}};
  message.body = attempt_body(r.payload, message.timestamp, attempt_no);
  message.signature = signer_.signature(message.body);
  const AttemptOutcome outcome = send_webhook(target, message, settings_.timeout, stopping_);
  using Kind = AttemptOutcome::Kind;
  switch (outcome.kind) {
    case Kind::delivered:
      store_.record(r.subject_id, DeliveryState::delivered, outcome.status, "", 0);
      spdlog::info("{}: delivered to {} (attempt {}, status {})", who, target.host, attempt_no, outcome.status);
      return;
    case Kind::give_up:
      store_.record(r.subject_id, DeliveryState::failed, outcome.status, outcome.error, 0);
      spdlog::warn("{}: failed at {} (attempt {}): {}", who, target.host, attempt_no, outcome.error);
      return;
    case Kind::interrupted:
      store_.undo_attempt(r.subject_id);
      return;
    case Kind::retry:
      break;
  }
  const std::int64_t next = now_ms() + webhook_retry_wait(attempt_no, settings_, outcome.retry_after).count();
  std::string give_up;
  if (attempt_no >= settings_.max_attempts)
    give_up = fmt::format("gave up after {} attempts (webhook_max_attempts): {}", attempt_no, outcome.error);
  else if (next > r.fired_ms + settings_.retry_window.count())
    give_up = fmt::format("gave up after {} attempts: the next would start after webhook_retry_window: {}", attempt_no, outcome.error);
  if (!give_up.empty()) {
    store_.record(r.subject_id, DeliveryState::failed, outcome.status, give_up, 0);
    spdlog::warn("{}: {}", who, give_up);
    return;
  }
  store_.record(r.subject_id, DeliveryState::pending, outcome.status, outcome.error, next);
  spdlog::info("{}: attempt {} at {} failed ({}); next in {} ms", who, attempt_no, target.host, outcome.error, next - now_ms());
}

}  // namespace kiln::server
