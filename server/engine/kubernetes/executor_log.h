#pragma once
// Follows the executor container's log on a thread of its own while the engine watches the pod,
// handing each line to the build's LogSink as the executor prints it. Stopped and joined in the
// destructor whatever happened, so no thread outlives the build.
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "kubernetes/api_client.h"
#include "server/engine/engine.h"

namespace kiln::server {

class ExecutorLog {
 public:
  /// `sink` is only called from the follower thread, and never after finish() or destruction.
  ExecutorLog(kubernetes::ApiClient& client, std::string pod_name, const LogSink& sink,
              std::chrono::seconds idle_timeout);
  ~ExecutorLog();
  ExecutorLog(const ExecutorLog&) = delete;
  ExecutorLog& operator=(const ExecutorLog&) = delete;

  /// Starts following (once the executor container runs: the API refuses the log of a waiting
  /// container). Calling it again does nothing.
  void start();
  bool started() const { return thread_.joinable(); }
  /// Waits up to `grace` for the stream to end by itself (the container has terminated and the
  /// server sends the last lines), then cuts it, and joins.
  void finish(std::chrono::milliseconds grace);
  /// Cuts the stream at once and joins (cancel).
  void stop();
  /// Why following failed, if it did (the API refused, the connection broke); empty otherwise.
  std::string error() const;

 private:
  kubernetes::ApiClient& client_;
  std::string pod_name_;
  const LogSink& sink_;
  std::chrono::seconds idle_timeout_;
  kubernetes::StreamInterrupt interrupt_;
  mutable std::mutex mutex_;
  std::condition_variable ended_;
  bool done_ = false;
  std::string error_;
  std::thread thread_;
};

}  // namespace kiln::server
