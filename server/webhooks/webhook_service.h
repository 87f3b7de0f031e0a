#pragma once
// Webhooks of builds and batches: subscribed at submission, fired when the subject reaches its
// final state, delivered by a few worker threads of their own (never a build's thread or a
// request thread), retried with backoff, and resumed after a restart from the database.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "oci/json.h"
#include "server/store/build_store.h"
#include "server/webhooks/webhook_settings.h"
#include "server/webhooks/webhook_signer.h"
#include "server/webhooks/webhook_store.h"

namespace kiln::server {

class WebhookService {
 public:
  /// `database_file` is the builds' database (its own connection); `builds` composes the bodies.
  WebhookService(const WebhookSettings& settings, WebhookSigner signer, const std::string& database_file, const BuildStore& builds);
  /// Stops the workers: an attempt under way is cut short and not counted (it is made again
  /// after the next start).
  ~WebhookService();
  WebhookService(const WebhookService&) = delete;
  WebhookService& operator=(const WebhookService&) = delete;

  void start();
  const WebhookSettings& settings() const { return settings_; }
  /// `kind` "build" or "batch"; `url` already checked (take_webhook).
  void subscribe(const std::string& kind, const std::string& subject_id, const std::string& url);
  /// Adds "webhook": {url, state, delivery_id, attempts, last_status, last_error, …} to the API
  /// view of a build or batch that has one.
  void add_view(oci::Json& subject, const std::string& subject_id) const;

 private:
  void work();
  void fire_ready();
  std::optional<WebhookRecord> claim();
  void attempt(const WebhookRecord& record);

  const WebhookSettings settings_;
  const WebhookSigner signer_;
  const BuildStore& builds_;
  WebhookStore store_;
  std::atomic<bool> stopping_{false};
  std::mutex firing_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::set<std::string> in_flight_;  ///< subjects a worker is delivering now
  std::chrono::steady_clock::time_point next_orphan_sweep_{};  ///< guarded by firing_
  std::vector<std::thread> workers_;
};

}  // namespace kiln::server
