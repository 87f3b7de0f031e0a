#pragma once
// A hard deadline for a whole network exchange. A socket timeout bounds each read, not the
// exchange: a receiver trickling a byte per second would hold a delivery worker for ever. At
// the deadline (or when `stopping` turns true) a watcher shuts the socket down, so the worker's
// blocked read or write fails at once.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace kiln::server {

class ExchangeDeadline {
 public:
  ExchangeDeadline(std::chrono::steady_clock::time_point deadline, const std::atomic<bool>& stopping);
  /// Stops watching; the socket (if any) is left as it is.
  ~ExchangeDeadline();
  ExchangeDeadline(const ExchangeDeadline&) = delete;
  ExchangeDeadline& operator=(const ExchangeDeadline&) = delete;

  /// The connected socket to shut down at the deadline (its descriptor stays owned by the caller,
  /// who must outlive this object with it).
  void watch(int fd);
  bool expired() const { return expired_; }

 private:
  void run();

  const std::chrono::steady_clock::time_point deadline_;
  const std::atomic<bool>& stopping_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool done_ = false;
  int fd_ = -1;
  std::atomic<bool> expired_{false};
  std::thread watcher_;
};

}  // namespace kiln::server
