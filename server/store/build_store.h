#pragma once
// Builds and batches in SQLite (Poco::Data::SQLite). Every state change is one statement, so a
// server killed at any moment leaves each build in exactly one state; recover() then puts
// builds that were running back in the queue once.
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "server/store/build_record.h"
#include "server/store/secret_box.h"

namespace Poco::Data {
class Session;
}

namespace kiln::server {

/// Which builds a listing returns; every filter given must hold.
struct BuildFilter {
  std::optional<BuildState> state;
  std::optional<std::string> batch_id;
  Labels labels;  ///< each key must carry exactly this value
};

struct BatchFilter {
  std::optional<bool> done;  ///< every build of it has ended / some has not
  Labels labels;
};

/// Where a listing page starts: after the last item of the page before it (newest first).
struct BuildPageStart {
  std::int64_t before_seq = 0;  ///< 0: from the newest
};
struct BatchPageStart {
  std::int64_t before_created_ms = 0;  ///< 0: from the newest
  std::string before_id;
};

/// The first answer to a request made with an Idempotency-Key: a repeat with the same key and
/// the same request gets that answer again. `fingerprint` is a keyed hash of the request (method,
/// path, body), never the body itself, whose secrets must not be stored in clear.
struct IdempotencyRecord {
  std::string scope;        ///< the SHA-256 of the client's token: keys of different tokens never meet
  std::string key;
  std::string fingerprint;
  int status = 0;
  std::string resource_id;  ///< the build, batch or context it made
  std::int64_t created_ms = 0;
};

struct RecoveryReport {
  int requeued = 0;  ///< were running, now queued again
  int failed = 0;    ///< were running for the second time: failed
};

class BuildStore {
 public:
  /// Opens (creating) the database; secret settings are sealed with `secrets`.
  BuildStore(const std::string& database_file, const SecretBox& secrets);
  ~BuildStore();
  BuildStore(const BuildStore&) = delete;
  BuildStore& operator=(const BuildStore&) = delete;

  /// Inserts a batch (batch_id may be empty for a single build) and its builds in one
  /// transaction; returns the new build ids in order.
  std::vector<std::string> insert(const std::string& batch_id, const std::vector<BuildSpec>& builds,
                                  const Labels& batch_labels = {}, const IdempotencyRecord* idempotency = nullptr);
  /// A new queued build with `original`'s settings, context, verify step and timeout, and its
  /// sealed secrets copied as they are (never opened here); rerun_of = original. Returns the new
  /// id, nullopt when `original` does not exist.
  std::optional<std::string> insert_rerun(const std::string& original, const IdempotencyRecord* idempotency = nullptr);
  /// The secret box's keyed hash of `request` (IdempotencyRecord::fingerprint).
  std::string fingerprint(std::string_view request) const { return secrets_.fingerprint(request); }
  /// Records the answer of a request that made no build (an upload).
  void remember(const IdempotencyRecord& record);
  /// The answer remembered for `key` of `scope`, if it was made at `not_before_ms` or later.
  std::optional<IdempotencyRecord> idempotent_answer(const std::string& scope, const std::string& key,
                                                     std::int64_t not_before_ms) const;
  /// Forgets the answers made before `before_ms`; returns how many.
  int forget_answers_before(std::int64_t before_ms);

  /// Deletes a finished build's record (and its batch when it was the last one, and the answers
  /// that name it); false when it does not exist or has not ended.
  bool remove_finished(const std::string& id);
  /// Finished builds past the retention bounds, oldest first: those that ended before
  /// `ended_before_ms` (0: no age bound) and those beyond the newest `keep_newest` finished ones
  /// (0: no count bound).
  std::vector<BuildRecord> finished_beyond(std::int64_t ended_before_ms, std::int64_t keep_newest) const;
  /// Queued or running builds whose context is `dir`.
  int active_builds_using(const std::string& dir) const;
  /// The context directory of every build the store holds.
  std::vector<std::string> context_dirs() const;

  std::optional<BuildRecord> get(const std::string& id) const;
  /// Newest first, at most `limit` matching `filter`, after `start`. Inserts made meanwhile never
  /// shift a later page: they are newer than any page's start.
  std::vector<BuildRecord> list(const BuildFilter& filter, const BuildPageStart& start, int limit) const;
  /// Newest first (created_ms, then id), as list().
  std::vector<BatchRecord> list_batches(const BatchFilter& filter, const BatchPageStart& start, int limit) const;
  std::optional<BatchRecord> get_batch(const std::string& batch_id) const;
  std::vector<BuildRecord> batch(const std::string& batch_id) const;
  bool batch_exists(const std::string& batch_id) const;

  /// Marks the oldest queued build running (attempts + 1, started now) and returns it with its
  /// secret settings opened; nullopt when none is queued.
  std::optional<BuildRecord> claim_next();
  /// Records the end of a running build; false when it was not running (nothing changed).
  bool finish(const BuildRecord& finished);
  /// A running build goes back to the queue without counting the attempt (graceful shutdown).
  void requeue(const std::string& id);
  /// queued -> cancelled; false when the build was not queued.
  bool cancel_queued(const std::string& id);
  /// Run once at start-up, before any worker: running -> queued (first interruption) or failed.
  RecoveryReport recover();
  /// Builds per state, of every batch or of one.
  std::map<BuildState, int> count_by_state(const std::string& batch_id = "") const;

 private:
  std::vector<BuildRecord> select(const std::string& where, const std::vector<std::string>& args, const std::string& tail) const;
  void insert_answer(const IdempotencyRecord& record);  // mutex_ held

  const SecretBox& secrets_;
  mutable std::mutex mutex_;
  std::unique_ptr<Poco::Data::Session> session_;
};

}  // namespace kiln::server
