#pragma once
// The open log streams (GET /v1/builds/{id}/log), served by one thread instead of one request
// thread each. A stream's socket is taken from Poco's HTTP connection once its request is
// accepted; from then on this thread writes its Server-Sent Events without blocking: a slow
// reader only stops its own stream from reading further in the log (the log itself is on disk
// or in the build's capped memory, so nothing grows while it lags). Hundreds of followers then
// leave every request thread free for /healthz and the API. The number of streams is bounded
// (max_log_streams); past it a request gets 503. Each line's event carries an `id:`: the offset
// just after that line in the build's log (BuildLog), so a client that reconnects with
// Last-Event-ID gets the lines after it, none twice and none lost.
#include <Poco/Net/StreamSocket.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "server/logs/build_log.h"

namespace kiln::server {

/// Where a stream learns about its build; called from the streams' thread only.
struct LogSource {
  /// The live log of a running build, null when it is not running.
  std::function<std::shared_ptr<BuildLog>(const std::string& id)> live;
  /// The build's final state ("succeeded", …), nullopt while it is queued or running, "" when it is gone.
  std::function<std::optional<std::string>(const std::string& id)> final_state;
  std::function<std::filesystem::path(const std::string& id)> file;
};

class LogStreams {
 public:
  LogStreams(LogSource source, int max_streams, std::chrono::milliseconds tick = std::chrono::milliseconds(100));
  /// Closes every open stream (the server is stopping).
  ~LogStreams();
  LogStreams(const LogStreams&) = delete;
  LogStreams& operator=(const LogStreams&) = delete;

  /// Takes `socket`, whose request asked for build `id`'s log, and answers it from now on
  /// (status line and headers first), from the first line that ends after byte `resume_after`
  /// (0: from the start). `hold` is kept while the stream is open (the connection's place in its
  /// client's count). False, leaving the socket alone, when max_streams are open.
  bool add(Poco::Net::StreamSocket socket, const std::string& id, std::int64_t resume_after = 0,
           std::shared_ptr<const void> hold = nullptr);
  int open() const { return open_.load(); }
  int max_streams() const { return max_streams_; }

  struct Stream;

 private:
  void loop();

  LogSource source_;
  const int max_streams_;
  const std::chrono::milliseconds tick_;
  std::atomic<int> open_{0};
  std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<std::unique_ptr<Stream>> incoming_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace kiln::server
