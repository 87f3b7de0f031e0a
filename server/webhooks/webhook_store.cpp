#include "server/webhooks/webhook_store.h"

#include <Poco/Data/RecordSet.h>
#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>
#include <Poco/Data/Statement.h>
#include <fmt/format.h>

#include "core/error.h"
#include "server/store/build_record.h"

namespace kiln::server {
namespace {

using namespace Poco::Data::Keywords;

constexpr const char* kWebhookColumns =
    "subject_id, kind, url, state, delivery_id, payload, attempts, last_status, last_error, created_ms, fired_ms, "
    "next_attempt_ms, finished_ms";

DeliveryState parse_state(const std::string& text) {
  for (DeliveryState s : {DeliveryState::waiting, DeliveryState::pending, DeliveryState::delivered, DeliveryState::failed})
    if (to_string(s) == text) return s;
  throw_infra("unknown webhook state '" + text + "' in the database");
}

}  // namespace

std::string to_string(DeliveryState state) {
  switch (state) {
    case DeliveryState::waiting: return "waiting";
    case DeliveryState::pending: return "pending";
    case DeliveryState::delivered: return "delivered";
    case DeliveryState::failed: return "failed";
  }
  return "failed";
}

WebhookStore::WebhookStore(const std::string& database_file) {
  Poco::Data::SQLite::Connector::registerConnector();
  try {
    // A second connection to the builds' database: Poco's SQLite sessions wait (up to 60 s) for
    // the other connection's write rather than fail, and WAL lets readers run beside it.
    session_ = std::make_unique<Poco::Data::Session>("SQLite", database_file);
    auto& s = *session_;
    s << "CREATE TABLE IF NOT EXISTS webhooks ("
         "subject_id TEXT PRIMARY KEY, kind TEXT NOT NULL, url TEXT NOT NULL, state TEXT NOT NULL, "
         "delivery_id TEXT NOT NULL, payload TEXT NOT NULL, attempts INTEGER NOT NULL, last_status INTEGER NOT NULL, "
         "last_error TEXT NOT NULL, created_ms INTEGER NOT NULL, fired_ms INTEGER NOT NULL, "
         "next_attempt_ms INTEGER NOT NULL, finished_ms INTEGER NOT NULL)",
        now;
    s << "CREATE INDEX IF NOT EXISTS webhooks_state ON webhooks(state, next_attempt_ms)", now;
  } catch (const Poco::Exception& e) {
    throw_infra(fmt::format("{}: cannot open the webhooks table: {}", database_file, e.displayText()));
  }
}

WebhookStore::~WebhookStore() = default;

void WebhookStore::subscribe(const std::string& kind, const std::string& subject_id, const std::string& url) {
  std::lock_guard lock(mutex_);
  std::string k = kind, id = subject_id, u = url, waiting = to_string(DeliveryState::waiting), empty;
  std::int64_t created = now_ms(), zero = 0;
  int zero_int = 0;
  *session_ << "INSERT INTO webhooks (" << kWebhookColumns << ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", use(id), use(k),
      use(u), use(waiting), use(empty), use(empty), use(zero_int), use(zero_int), use(empty), use(created), use(zero),
      use(zero), use(zero), now;
}

std::vector<WebhookRecord> WebhookStore::select(const std::string& where, const std::string& arg, const std::string& tail) const {
  Poco::Data::Statement st(*session_);
  std::string a = arg;
  st << fmt::format("SELECT {} FROM webhooks {} {}", kWebhookColumns, where, tail);
  if (!arg.empty()) st, use(a);
  st.execute();
  Poco::Data::RecordSet rs(st);
  std::vector<WebhookRecord> out;
  for (std::size_t row = 0; row < rs.rowCount(); ++row) {
    auto str = [&](std::size_t col) { return rs.value(col, row).convert<std::string>(); };
    auto num = [&](std::size_t col) { return rs.value(col, row).convert<std::int64_t>(); };
    WebhookRecord r;
    r.subject_id = str(0);
    r.kind = str(1);
    r.url = str(2);
    r.state = parse_state(str(3));
    r.delivery_id = str(4);
    r.payload = str(5);
    r.attempts = static_cast<int>(num(6));
    r.last_status = static_cast<int>(num(7));
    r.last_error = str(8);
    r.created_ms = num(9);
    r.fired_ms = num(10);
    r.next_attempt_ms = num(11);
    r.finished_ms = num(12);
    out.push_back(std::move(r));
  }
  return out;
}

std::optional<WebhookRecord> WebhookStore::get(const std::string& subject_id) const {
  std::lock_guard lock(mutex_);
  auto rows = select("WHERE subject_id = ?", subject_id, "");
  if (rows.empty()) return std::nullopt;
  return rows.front();
}

std::vector<WebhookRecord> WebhookStore::ready_to_fire() const {
  std::lock_guard lock(mutex_);
  // The builds table is BuildStore's; only its id, batch_id and state columns are read here.
  return select(
      "WHERE state = 'waiting' AND ("
      "(kind = 'build' AND EXISTS (SELECT 1 FROM builds b WHERE b.id = webhooks.subject_id "
      "AND b.state IN ('succeeded', 'failed', 'cancelled'))) OR "
      "(kind = 'batch' AND EXISTS (SELECT 1 FROM builds b WHERE b.batch_id = webhooks.subject_id) "
      "AND NOT EXISTS (SELECT 1 FROM builds b WHERE b.batch_id = webhooks.subject_id "
      "AND b.state IN ('queued', 'running'))))",
      "", "ORDER BY created_ms LIMIT 100");
}

bool WebhookStore::fire(const std::string& subject_id, const std::string& delivery_id, const std::string& payload) {
  std::lock_guard lock(mutex_);
  std::string id = subject_id, delivery = delivery_id, body = payload;
  std::int64_t at = now_ms();
  Poco::Data::Statement st(*session_);
  st << "UPDATE webhooks SET state = 'pending', delivery_id = ?, payload = ?, fired_ms = ?, next_attempt_ms = ? "
        "WHERE subject_id = ? AND state = 'waiting'",
      use(delivery), use(body), use(at), use(at), use(id);
  return st.execute() > 0;
}

std::vector<WebhookRecord> WebhookStore::due(std::int64_t now, int limit) const {
  std::lock_guard lock(mutex_);
  return select(fmt::format("WHERE state = 'pending' AND next_attempt_ms <= {}", now), "",
                fmt::format("ORDER BY next_attempt_ms LIMIT {}", limit));
}

void WebhookStore::begin_attempt(const std::string& subject_id) {
  std::lock_guard lock(mutex_);
  std::string id = subject_id;
  *session_ << "UPDATE webhooks SET attempts = attempts + 1 WHERE subject_id = ?", use(id), now;
}

void WebhookStore::undo_attempt(const std::string& subject_id) {
  std::lock_guard lock(mutex_);
  std::string id = subject_id;
  *session_ << "UPDATE webhooks SET attempts = attempts - 1 WHERE subject_id = ? AND attempts > 0", use(id), now;
}

void WebhookStore::record(const std::string& subject_id, DeliveryState state, int status, const std::string& error,
                          std::int64_t next_attempt_ms) {
  std::lock_guard lock(mutex_);
  std::string id = subject_id, s = to_string(state), e = error;
  std::int64_t finished = state == DeliveryState::pending ? 0 : now_ms(), next = next_attempt_ms;
  int last_status = status;
  *session_ << "UPDATE webhooks SET state = ?, last_status = ?, last_error = ?, next_attempt_ms = ?, finished_ms = ? "
               "WHERE subject_id = ?",
      use(s), use(last_status), use(e), use(next), use(finished), use(id), now;
}

int WebhookStore::forget_orphans() {
  std::lock_guard lock(mutex_);
  Poco::Data::Statement st(*session_);
  // The builds and batches tables are BuildStore's; only their id columns are read here.
  st << "DELETE FROM webhooks WHERE state != 'pending' AND ("
        "(kind = 'build' AND NOT EXISTS (SELECT 1 FROM builds b WHERE b.id = webhooks.subject_id)) OR "
        "(kind = 'batch' AND NOT EXISTS (SELECT 1 FROM batches t WHERE t.id = webhooks.subject_id)))";
  return static_cast<int>(st.execute());
}

}  // namespace kiln::server
