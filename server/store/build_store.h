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
                                  const Labels& batch_labels = {});

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

  const SecretBox& secrets_;
  mutable std::mutex mutex_;
  std::unique_ptr<Poco::Data::Session> session_;
};

}  // namespace kiln::server
