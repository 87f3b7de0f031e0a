#pragma once
// What keeps the data dir from growing forever: a finished build is removed (its record, log,
// report and temp files) on request or once it is past the retention bounds, and an uploaded
// context goes once no build uses it any more. Queued and running builds are never touched.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

#include "server/policy/context_location.h"
#include "server/queue/build_queue.h"
#include "server/store/build_store.h"

namespace kiln::server {

/// Removes finished build `id`: its record first (a reader then sees it gone), then its files.
/// False when it does not exist or has not ended.
bool remove_finished_build(BuildStore& store, const BuildQueue& queue, const std::string& id);

struct RetentionPolicy {
  std::chrono::seconds max_age{0};  ///< retention_max_age; 0: no age bound
  std::int64_t max_builds = 0;      ///< retention_max_builds; 0: no count bound
  std::chrono::seconds interval{600};
};

struct SweepReport {
  int builds = 0;    ///< finished builds removed
  int contexts = 0;  ///< uploaded contexts removed
  int answers = 0;   ///< Idempotency-Key answers forgotten
};

/// How long a request's Idempotency-Key answer is kept: a repeat after this is a new request.
inline constexpr std::chrono::hours kIdempotencyLifetime{24};

/// One pass: the finished builds past the bounds; then each upload no build uses any more that a
/// removed build used or that is older than max_age; then expired Idempotency-Key answers.
SweepReport sweep(BuildStore& store, const BuildQueue& queue, const ContextLocations& contexts, const RetentionPolicy& policy);

/// Runs sweep() now (before the workers start) and then every policy.interval until destroyed.
class RetentionSweeper {
 public:
  RetentionSweeper(BuildStore& store, const BuildQueue& queue, ContextLocations contexts, RetentionPolicy policy);
  ~RetentionSweeper();
  RetentionSweeper(const RetentionSweeper&) = delete;
  RetentionSweeper& operator=(const RetentionSweeper&) = delete;

 private:
  void loop();

  BuildStore& store_;
  const BuildQueue& queue_;
  ContextLocations contexts_;
  RetentionPolicy policy_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace kiln::server
