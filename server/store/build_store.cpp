#include "server/store/random_id.h"
#include "server/store/build_store.h"

#include <Poco/Data/RecordSet.h>
#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>
#include <Poco/Data/Statement.h>
#include <fmt/format.h>

#include <chrono>

#include "core/error.h"
#include "oci/json.h"

namespace kiln::server {
namespace {

using namespace Poco::Data::Keywords;
using oci::Json;

std::string map_json(const SettingMap& m) { return Json(m).dump(); }
SettingMap json_map(const std::string& text) {
  return text.empty() ? SettingMap{} : Json::parse(text).get<SettingMap>();
}

constexpr const char* kBuildColumns =
    "id, batch_id, state, settings, context_dir, verify, verify_settings, created_ms, started_ms, finished_ms, "
    "exit_code, digest, message, attempts, has_report, timeout_s, seq, labels, rerun_of";  // the sealed secrets only where a run needs them

// Databases of earlier versions lack the columns added since: added with their neutral value.
void add_column(Poco::Data::Session& s, const std::string& table, const std::string& column, const std::string& definition) {
  int present = 0;
  std::string t = table, c = column;
  s << "SELECT count(*) FROM pragma_table_info(?) WHERE name = ?", use(t), use(c), into(present), now;
  if (present == 0) s << fmt::format("ALTER TABLE {} ADD COLUMN {} {}", table, column, definition), now;
}

// "labels carry key=value": one condition per label, on the JSON object of the row's labels.
// Keys are restricted to [A-Za-z0-9._/-] (api/labels.h), so quoting them in a JSON path is exact.
void add_label_conditions(const Labels& labels, std::string& where, std::vector<std::string>& args) {
  for (const auto& [key, value] : labels) {
    where += " AND json_extract(labels, ?) IS ?";
    args.push_back("$.\"" + key + "\"");
    args.push_back(value);
  }
}

}  // namespace

BuildStore::BuildStore(const std::string& database_file, const SecretBox& secrets) : secrets_(secrets) {
  Poco::Data::SQLite::Connector::registerConnector();
  try {
    session_ = std::make_unique<Poco::Data::Session>("SQLite", database_file);
    auto& s = *session_;
    // WAL: readers (API) do not block the writer (workers); a commit survives SIGKILL.
    s << "PRAGMA journal_mode=WAL", now;
    s << "PRAGMA synchronous=NORMAL", now;
    s << "CREATE TABLE IF NOT EXISTS batches (id TEXT PRIMARY KEY, created_ms INTEGER NOT NULL)", now;
    s << "CREATE TABLE IF NOT EXISTS builds ("
         "seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT UNIQUE NOT NULL, batch_id TEXT NOT NULL, state TEXT NOT NULL, "
         "settings TEXT NOT NULL, context_dir TEXT NOT NULL, verify INTEGER NOT NULL, verify_settings TEXT NOT NULL, "
         "created_ms INTEGER NOT NULL, started_ms INTEGER NOT NULL, finished_ms INTEGER NOT NULL, "
         "exit_code INTEGER NOT NULL, digest TEXT NOT NULL, message TEXT NOT NULL, attempts INTEGER NOT NULL, "
         "has_report INTEGER NOT NULL, secrets TEXT NOT NULL, verify_secrets TEXT NOT NULL)",
        now;
    // 0: the server's build_timeout.
    add_column(s, "builds", "timeout_s", "INTEGER NOT NULL DEFAULT 0");
    add_column(s, "builds", "labels", "TEXT NOT NULL DEFAULT '{}'");
    add_column(s, "builds", "rerun_of", "TEXT NOT NULL DEFAULT ''");
    add_column(s, "batches", "labels", "TEXT NOT NULL DEFAULT '{}'");
    s << "CREATE INDEX IF NOT EXISTS batches_created ON batches(created_ms, id)", now;
    s << "CREATE TABLE IF NOT EXISTS idempotency (scope TEXT NOT NULL, key TEXT NOT NULL, fingerprint TEXT NOT NULL, "
         "status INTEGER NOT NULL, resource TEXT NOT NULL, created_ms INTEGER NOT NULL, PRIMARY KEY (scope, key))",
        now;
    s << "CREATE INDEX IF NOT EXISTS idempotency_resource ON idempotency(resource)", now;
    s << "CREATE INDEX IF NOT EXISTS builds_state ON builds(state, seq)", now;
    s << "CREATE INDEX IF NOT EXISTS builds_batch ON builds(batch_id, seq)", now;
  } catch (const Poco::Exception& e) {
    throw_infra(fmt::format("{}: cannot open the database: {}", database_file, e.displayText()));
  }
}

BuildStore::~BuildStore() = default;

std::vector<std::string> BuildStore::insert(const std::string& batch_id, const std::vector<BuildSpec>& builds,
                                            const Labels& batch_labels, const IdempotencyRecord* idempotency) {
  std::vector<std::string> ids;
  std::lock_guard lock(mutex_);
  auto& s = *session_;
  s.begin();
  try {
    std::int64_t created = now_ms();
    if (!batch_id.empty()) {
      std::string b = batch_id, labels = Json(batch_labels).dump();
      s << "INSERT INTO batches (id, created_ms, labels) VALUES (?, ?, ?)", use(b), use(created), use(labels), now;
    }
    for (const auto& spec : builds) {
      std::string id = new_id("b-"), batch = batch_id, state = "queued", settings = map_json(spec.settings);
      std::string context = spec.context_dir, verify_settings = map_json(spec.verify_settings), empty;
      std::string labels = Json(spec.labels).dump();
      std::string sealed = spec.secret_settings.empty() ? "" : secrets_.seal(map_json(spec.secret_settings));
      std::string verify_sealed = spec.verify_secret_settings.empty() ? "" : secrets_.seal(map_json(spec.verify_secret_settings));
      int verify = spec.verify ? 1 : 0, zero = 0, minus_one = -1;
      std::int64_t zero64 = 0, timeout = spec.timeout_seconds;
      s << "INSERT INTO builds (id, batch_id, state, settings, context_dir, verify, verify_settings, created_ms, "
           "started_ms, finished_ms, exit_code, digest, message, attempts, has_report, secrets, verify_secrets, timeout_s, labels) "
           "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
          use(id), use(batch), use(state), use(settings), use(context), use(verify), use(verify_settings), use(created),
          use(zero64), use(zero64), use(minus_one), use(empty), use(empty), use(zero), use(zero), use(sealed),
          use(verify_sealed), use(timeout), use(labels), now;
      ids.push_back(id);
    }
    if (idempotency) {
      IdempotencyRecord answer = *idempotency;
      answer.resource_id = batch_id.empty() ? ids.front() : batch_id;
      insert_answer(answer);
    }
    s.commit();
  } catch (...) {
    s.rollback();
    throw;
  }
  return ids;
}

std::vector<BuildRecord> BuildStore::select(const std::string& where, const std::vector<std::string>& args,
                                            const std::string& tail) const {
  Poco::Data::Statement st(*session_);
  std::vector<std::string> bound = args;  // Poco binds by reference: kept alive until execute()
  st << fmt::format("SELECT {} FROM builds {} {}", kBuildColumns, where, tail);
  for (auto& a : bound) st, use(a);
  st.execute();
  Poco::Data::RecordSet rs(st);
  std::vector<BuildRecord> out;
  for (std::size_t row = 0; row < rs.rowCount(); ++row) {
    auto str = [&](std::size_t col) { return rs.value(col, row).convert<std::string>(); };
    auto num = [&](std::size_t col) { return rs.value(col, row).convert<std::int64_t>(); };
    BuildRecord r;
    r.id = str(0);
    r.batch_id = str(1);
    r.state = parse_build_state(str(2));
    r.spec.settings = json_map(str(3));
    r.spec.context_dir = str(4);
    r.spec.verify = num(5) != 0;
    r.spec.verify_settings = json_map(str(6));
    r.created_ms = num(7);
    r.started_ms = num(8);
    r.finished_ms = num(9);
    r.exit_code = static_cast<int>(num(10));
    r.digest = str(11);
    r.message = str(12);
    r.attempts = static_cast<int>(num(13));
    r.has_report = num(14) != 0;
    r.spec.timeout_seconds = num(15);
    r.seq = num(16);
    r.spec.labels = json_map(str(17));
    r.rerun_of = str(18);
    out.push_back(std::move(r));
  }
  return out;
}

std::optional<BuildRecord> BuildStore::get(const std::string& id) const {
  std::lock_guard lock(mutex_);
  auto rows = select("WHERE id = ?", {id}, "");
  if (rows.empty()) return std::nullopt;
  return rows.front();
}

std::vector<BuildRecord> BuildStore::list(const BuildFilter& filter, const BuildPageStart& start, int limit) const {
  std::string where = "WHERE 1";
  std::vector<std::string> args;
  if (filter.state) {
    where += " AND state = ?";
    args.push_back(to_string(*filter.state));
  }
  if (filter.batch_id) {
    where += " AND batch_id = ?";
    args.push_back(*filter.batch_id);
  }
  add_label_conditions(filter.labels, where, args);
  if (start.before_seq > 0) {
    where += " AND seq < CAST(? AS INTEGER)";
    args.push_back(std::to_string(start.before_seq));
  }
  std::lock_guard lock(mutex_);
  return select(where, args, fmt::format("ORDER BY seq DESC LIMIT {}", limit));
}

std::vector<BatchRecord> BuildStore::list_batches(const BatchFilter& filter, const BatchPageStart& start, int limit) const {
  std::string where = "WHERE 1";
  std::vector<std::string> args;
  if (filter.done) {
    where += *filter.done ? " AND NOT" : " AND";
    where += " EXISTS (SELECT 1 FROM builds WHERE builds.batch_id = batches.id AND state IN ('queued', 'running'))";
  }
  add_label_conditions(filter.labels, where, args);
  if (start.before_created_ms > 0) {
    where += " AND (created_ms, id) < (CAST(? AS INTEGER), ?)";
    args.push_back(std::to_string(start.before_created_ms));
    args.push_back(start.before_id);
  }
  std::lock_guard lock(mutex_);
  Poco::Data::Statement st(*session_);
  st << fmt::format("SELECT id, created_ms, labels FROM batches {} ORDER BY created_ms DESC, id DESC LIMIT {}", where, limit);
  for (auto& a : args) st, use(a);
  st.execute();
  Poco::Data::RecordSet rs(st);
  std::vector<BatchRecord> out;
  for (std::size_t row = 0; row < rs.rowCount(); ++row)
    out.push_back({.id = rs.value(0, row).convert<std::string>(),
                   .created_ms = rs.value(1, row).convert<std::int64_t>(),
                   .labels = json_map(rs.value(2, row).convert<std::string>())});
  return out;
}

std::optional<BatchRecord> BuildStore::get_batch(const std::string& batch_id) const {
  std::lock_guard lock(mutex_);
  std::string b = batch_id;
  std::vector<std::int64_t> created;
  std::vector<std::string> label_rows;
  *session_ << "SELECT created_ms, labels FROM batches WHERE id = ?", use(b), into(created), into(label_rows), now;
  if (created.empty()) return std::nullopt;
  return BatchRecord{.id = batch_id, .created_ms = created.front(), .labels = json_map(label_rows.front())};
}

std::vector<BuildRecord> BuildStore::batch(const std::string& batch_id) const {
  std::lock_guard lock(mutex_);
  return select("WHERE batch_id = ?", {batch_id}, "ORDER BY seq");
}

bool BuildStore::batch_exists(const std::string& batch_id) const {
  std::lock_guard lock(mutex_);
  std::string b = batch_id;
  int n = 0;
  *session_ << "SELECT COUNT(*) FROM batches WHERE id = ?", use(b), into(n), now;
  return n > 0;
}

std::optional<BuildRecord> BuildStore::claim_next() {
  std::lock_guard lock(mutex_);
  auto rows = select("WHERE state = ?", {"queued"}, "ORDER BY seq LIMIT 1");
  if (rows.empty()) return std::nullopt;
  BuildRecord r = std::move(rows.front());
  std::string id = r.id, sealed, verify_sealed;
  std::int64_t started = now_ms();
  *session_ << "UPDATE builds SET state = 'running', started_ms = ?, attempts = attempts + 1 WHERE id = ?",
      use(started), use(id), now;
  *session_ << "SELECT secrets, verify_secrets FROM builds WHERE id = ?", use(id), into(sealed), into(verify_sealed), now;
  r.state = BuildState::running;
  r.started_ms = started;
  r.attempts += 1;
  if (!sealed.empty()) r.spec.secret_settings = json_map(secrets_.open(sealed));
  if (!verify_sealed.empty()) r.spec.verify_secret_settings = json_map(secrets_.open(verify_sealed));
  return r;
}

bool BuildStore::finish(const BuildRecord& f) {
  std::lock_guard lock(mutex_);
  std::string id = f.id, state = to_string(f.state), digest = f.digest, message = f.message;
  std::int64_t finished = f.finished_ms ? f.finished_ms : now_ms();
  int exit_code = f.exit_code, report = f.has_report ? 1 : 0;
  Poco::Data::Statement st(*session_);
  st << "UPDATE builds SET state = ?, finished_ms = ?, exit_code = ?, digest = ?, message = ?, has_report = ? "
        "WHERE id = ? AND state = 'running'",
      use(state), use(finished), use(exit_code), use(digest), use(message), use(report), use(id);
  return st.execute() > 0;
}

void BuildStore::requeue(const std::string& id) {
  std::lock_guard lock(mutex_);
  std::string i = id;
  *session_ << "UPDATE builds SET state = 'queued', attempts = attempts - 1 WHERE id = ? AND state = 'running'", use(i), now;
}

bool BuildStore::cancel_queued(const std::string& id) {
  std::lock_guard lock(mutex_);
  std::string i = id;
  std::int64_t finished = now_ms();
  Poco::Data::Statement st(*session_);
  st << "UPDATE builds SET state = 'cancelled', finished_ms = ?, message = 'cancelled before it started' "
        "WHERE id = ? AND state = 'queued'",
      use(finished), use(i);
  return st.execute() > 0;
}

RecoveryReport BuildStore::recover() {
  std::lock_guard lock(mutex_);
  RecoveryReport report;
  auto& s = *session_;
  s.begin();
  std::int64_t finished = now_ms();
  Poco::Data::Statement fail(s);
  fail << "UPDATE builds SET state = 'failed', finished_ms = ?, "
          "message = 'interrupted twice by a server restart; not re-queued again' WHERE state = 'running' AND attempts >= 2",
      use(finished);
  report.failed = static_cast<int>(fail.execute());
  Poco::Data::Statement again(s);
  again << "UPDATE builds SET state = 'queued', message = 'interrupted by a server restart; re-queued' "
           "WHERE state = 'running'";
  report.requeued = static_cast<int>(again.execute());
  s.commit();
  return report;
}

void BuildStore::insert_answer(const IdempotencyRecord& record) {
  std::string scope = record.scope, key = record.key, fingerprint = record.fingerprint, resource = record.resource_id;
  int status = record.status;
  std::int64_t created = record.created_ms ? record.created_ms : now_ms();
  // An expired answer under the same key is replaced.
  *session_ << "INSERT OR REPLACE INTO idempotency (scope, key, fingerprint, status, resource, created_ms) "
               "VALUES (?, ?, ?, ?, ?, ?)",
      use(scope), use(key), use(fingerprint), use(status), use(resource), use(created), now;
}

std::optional<std::string> BuildStore::insert_rerun(const std::string& original, const IdempotencyRecord* idempotency) {
  std::lock_guard lock(mutex_);
  auto& s = *session_;
  s.begin();
  try {
    std::string id = new_id("b-"), from = original;
    std::int64_t created = now_ms();
    Poco::Data::Statement st(s);
    st << "INSERT INTO builds (id, batch_id, state, settings, context_dir, verify, verify_settings, created_ms, "
          "started_ms, finished_ms, exit_code, digest, message, attempts, has_report, secrets, verify_secrets, timeout_s, "
          "labels, rerun_of) "
          "SELECT ?, '', 'queued', settings, context_dir, verify, verify_settings, ?, 0, 0, -1, '', '', 0, 0, secrets, "
          "verify_secrets, timeout_s, labels, id FROM builds WHERE id = ?",
        use(id), use(created), use(from);
    if (st.execute() == 0) {
      s.rollback();
      return std::nullopt;
    }
    if (idempotency) {
      IdempotencyRecord answer = *idempotency;
      answer.resource_id = id;
      insert_answer(answer);
    }
    s.commit();
    return id;
  } catch (...) {
    s.rollback();
    throw;
  }
}

void BuildStore::remember(const IdempotencyRecord& record) {
  std::lock_guard lock(mutex_);
  insert_answer(record);
}

std::optional<IdempotencyRecord> BuildStore::idempotent_answer(const std::string& scope, const std::string& key,
                                                               std::int64_t not_before_ms) const {
  std::lock_guard lock(mutex_);
  std::string sc = scope, k = key;
  std::int64_t since = not_before_ms;
  std::vector<std::string> fingerprints, resources;
  std::vector<int> statuses;
  std::vector<std::int64_t> created;
  *session_ << "SELECT fingerprint, status, resource, created_ms FROM idempotency WHERE scope = ? AND key = ? AND created_ms >= ?",
      use(sc), use(k), use(since), into(fingerprints), into(statuses), into(resources), into(created), now;
  if (fingerprints.empty()) return std::nullopt;
  return IdempotencyRecord{.scope = scope, .key = key, .fingerprint = fingerprints[0], .status = statuses[0],
                           .resource_id = resources[0], .created_ms = created[0]};
}

int BuildStore::forget_answers_before(std::int64_t before_ms) {
  std::lock_guard lock(mutex_);
  std::int64_t before = before_ms;
  Poco::Data::Statement st(*session_);
  st << "DELETE FROM idempotency WHERE created_ms < ?", use(before);
  return static_cast<int>(st.execute());
}

bool BuildStore::remove_finished(const std::string& id) {
  std::lock_guard lock(mutex_);
  auto& s = *session_;
  s.begin();
  try {
    std::string i = id, batch;
    std::vector<std::string> batches;
    s << "SELECT batch_id FROM builds WHERE id = ? AND state IN ('succeeded', 'failed', 'cancelled')", use(i), into(batches), now;
    if (batches.empty()) {
      s.rollback();
      return false;
    }
    batch = batches.front();
    s << "DELETE FROM builds WHERE id = ?", use(i), now;
    s << "DELETE FROM idempotency WHERE resource = ?", use(i), now;
    if (!batch.empty()) {
      int left = 0;
      s << "SELECT COUNT(*) FROM builds WHERE batch_id = ?", use(batch), into(left), now;
      if (left == 0) {
        s << "DELETE FROM batches WHERE id = ?", use(batch), now;
        s << "DELETE FROM idempotency WHERE resource = ?", use(batch), now;
      }
    }
    s.commit();
    return true;
  } catch (...) {
    s.rollback();
    throw;
  }
}

std::vector<BuildRecord> BuildStore::finished_beyond(std::int64_t ended_before_ms, std::int64_t keep_newest) const {
  std::lock_guard lock(mutex_);
  const std::string finished = "state IN ('succeeded', 'failed', 'cancelled')";
  std::string where = "WHERE " + finished + " AND (0";
  if (ended_before_ms > 0) where += fmt::format(" OR finished_ms < {}", ended_before_ms);
  if (keep_newest > 0)
    where += fmt::format(" OR seq NOT IN (SELECT seq FROM builds WHERE {} ORDER BY seq DESC LIMIT {})", finished, keep_newest);
  where += ")";
  return select(where, {}, "ORDER BY seq");
}

int BuildStore::active_builds_using(const std::string& dir) const {
  std::lock_guard lock(mutex_);
  std::string d = dir;
  int n = 0;
  *session_ << "SELECT COUNT(*) FROM builds WHERE context_dir = ? AND state IN ('queued', 'running')", use(d), into(n), now;
  return n;
}

std::vector<std::string> BuildStore::context_dirs() const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> dirs;
  *session_ << "SELECT DISTINCT context_dir FROM builds", into(dirs), now;
  return dirs;
}

std::map<BuildState, int> BuildStore::count_by_state(const std::string& batch_id) const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> states;
  std::vector<int> counts;
  std::string b = batch_id;
  if (b.empty())
    *session_ << "SELECT state, COUNT(*) FROM builds GROUP BY state", into(states), into(counts), now;
  else
    *session_ << "SELECT state, COUNT(*) FROM builds WHERE batch_id = ? GROUP BY state", use(b), into(states), into(counts), now;
  std::map<BuildState, int> out;
  for (std::size_t i = 0; i < states.size(); ++i) out[parse_build_state(states[i])] = counts[i];
  return out;
}

}  // namespace kiln::server
