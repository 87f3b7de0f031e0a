#pragma once
// Webhooks and their deliveries in the server's SQLite database (table `webhooks`, its own
// connection). One row per build or batch that asked for a webhook: `waiting` until its subject
// is final, then `pending` (a delivery with a body, due at next_attempt_ms) until `delivered` or
// `failed`. Every change is one statement, so a server killed at any moment resumes each
// pending delivery at its next start.
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace Poco::Data {
class Session;
}

namespace kiln::server {

enum class DeliveryState { waiting, pending, delivered, failed };
std::string to_string(DeliveryState state);

struct WebhookRecord {
  std::string subject_id;   ///< a build id or a batch id
  std::string kind;         ///< "build" | "batch"
  std::string url;
  DeliveryState state = DeliveryState::waiting;
  std::string delivery_id;  ///< set when the subject became final
  std::string payload;      ///< the event without its per-attempt timestamp
  int attempts = 0;         ///< attempts started; one cut short by a crash counts
  int last_status = 0;      ///< the receiver's last HTTP status; 0: none (no answer)
  std::string last_error;
  std::int64_t created_ms = 0, fired_ms = 0, next_attempt_ms = 0, finished_ms = 0;
};

class WebhookStore {
 public:
  explicit WebhookStore(const std::string& database_file);
  ~WebhookStore();
  WebhookStore(const WebhookStore&) = delete;
  WebhookStore& operator=(const WebhookStore&) = delete;

  void subscribe(const std::string& kind, const std::string& subject_id, const std::string& url);
  std::optional<WebhookRecord> get(const std::string& subject_id) const;
  /// Waiting webhooks whose subject has reached its final state: the build has ended, or every
  /// build of the batch has.
  std::vector<WebhookRecord> ready_to_fire() const;
  /// waiting -> pending with its body, due now; false when it was not waiting.
  bool fire(const std::string& subject_id, const std::string& delivery_id, const std::string& payload);
  /// Pending deliveries due at `now_ms`, earliest first.
  std::vector<WebhookRecord> due(std::int64_t now_ms, int limit) const;
  /// Counts an attempt before it is made (a crash during it still counts it).
  void begin_attempt(const std::string& subject_id);
  /// An attempt cut short by a server shutdown: not counted, due again at once after the restart.
  void undo_attempt(const std::string& subject_id);
  /// The outcome of an attempt: still pending (retry at next_attempt_ms), delivered or failed.
  void record(const std::string& subject_id, DeliveryState state, int status, const std::string& error,
              std::int64_t next_attempt_ms);
  /// Removes the rows whose build or batch no longer exists (deleted by a client or by
  /// retention) and that have nothing left to deliver. A pending delivery is kept: the event
  /// still reaches its receiver, and its row goes at the first call after it ends. Returns how
  /// many rows went.
  int forget_orphans();

 private:
  std::vector<WebhookRecord> select(const std::string& where, const std::string& arg, const std::string& tail) const;

  mutable std::mutex mutex_;
  std::unique_ptr<Poco::Data::Session> session_;
};

}  // namespace kiln::server
