#pragma once
// N workers take the oldest queued build from the store, run it through the engine (then the
// optional verify step) and record the end. The store is the queue: a build submitted while
// every worker is busy, or left queued by a restart, is simply the next row.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "server/engine/engine.h"
#include "server/logs/build_log.h"
#include "server/metrics/metrics.h"
#include "server/policy/context_location.h"
#include "server/store/build_store.h"

namespace kiln::server {

struct QueueOptions {
  int concurrency = 2;
  std::filesystem::path logs_dir;     ///< <id>.log
  std::filesystem::path reports_dir;  ///< <id>.junit.xml
  std::int64_t log_cap_bytes = 1 << 20;
  std::filesystem::path verify_binary;
  /// A build's deadline (its run and verify step) when it sets no shorter "timeout" of its own.
  std::chrono::seconds build_timeout{3600};
  /// Set for remote engines: builds get context_url = <base>/v1/builds/<id>/context and a token.
  std::string context_base_url;
  /// <data_dir>/tmp: each build's temp root <id>/ (its TMPDIR, DOCKER_CONFIG, digest file),
  /// removed when the build ends however it ends; what a killed server left is removed at start.
  std::filesystem::path temp_dir;
  /// Where contexts may be: checked again, with the build's path settings, just before it runs.
  ContextLocations contexts;
};

class BuildQueue {
 public:
  /// Removes every per-build temp root a previous run left in options.temp_dir.
  BuildQueue(BuildStore& store, Engine& engine, Metrics& metrics, QueueOptions options);
  /// Stops the workers: running builds are stopped and put back in the queue for the next start.
  ~BuildQueue();
  BuildQueue(const BuildQueue&) = delete;
  BuildQueue& operator=(const BuildQueue&) = delete;

  void start();
  /// Stops the workers: what is running is stopped and goes back to the queue, and nothing else
  /// starts. Called when the server is asked to stop, before anything else is torn down (a
  /// worker would otherwise go on taking builds while the HTTP server winds down); idempotent,
  /// and the destructor calls it.
  void stop();
  /// Wakes an idle worker (a build was submitted).
  void notify();
  /// Stops a running build (or one about to start); false when it is neither.
  bool cancel(const std::string& id);
  /// The live log of a running build, null when it is not running here.
  std::shared_ptr<BuildLog> live_log(const std::string& id) const;
  int busy_workers() const;
  /// True when `token` is the context token handed to the engine for build `id` (now running).
  bool context_token_valid(const std::string& id, const std::string& token) const;

  std::filesystem::path log_file(const std::string& id) const { return options_.logs_dir / (id + ".log"); }
  std::filesystem::path report_file(const std::string& id) const { return options_.reports_dir / (id + ".junit.xml"); }
  std::filesystem::path temp_root(const std::string& id) const { return options_.temp_dir / id; }

 private:
  struct Running {
    std::shared_ptr<std::atomic<bool>> cancel;
    std::shared_ptr<BuildLog> log;
    std::string context_token_sha256;
  };
  void work();
  void run_one(BuildRecord record);

  BuildStore& store_;
  Engine& engine_;
  Metrics& metrics_;
  QueueOptions options_;
  std::atomic<bool> stopping_{false};
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::map<std::string, Running> running_;
  std::set<std::string> cancel_requested_;
  std::vector<std::thread> workers_;
};

}  // namespace kiln::server
