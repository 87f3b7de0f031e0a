#pragma once
// Deadlines for HTTP exchanges that hold however the peer paces its bytes. A socket timeout
// restarts with every byte that arrives, so a registry trickling one byte a second never trips
// it, and Poco reads response headers byte by byte where no caller can look at a clock. The
// watchdog's thread therefore shuts a connection down (shutdown(2) on a descriptor of its own,
// so it never touches a socket number that has been closed and reused) when its deadline
// passes; whatever read or write was blocked on it returns, and the exchange reports expired().
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <thread>

namespace kiln::oci {

class DeadlineWatchdog {
 public:
  using Clock = std::chrono::steady_clock;

  DeadlineWatchdog() = default;
  ~DeadlineWatchdog();  ///< stops and joins the thread
  DeadlineWatchdog(const DeadlineWatchdog&) = delete;
  DeadlineWatchdog& operator=(const DeadlineWatchdog&) = delete;

  /// One exchange's deadline, from construction to destruction.
  class Watch {
   public:
    Watch(DeadlineWatchdog& watchdog, Clock::time_point deadline);
    ~Watch();
    Watch(const Watch&) = delete;
    Watch& operator=(const Watch&) = delete;
    /// The connection to shut down at the deadline (now, when it has already passed).
    void attach(int socket_fd);
    /// Moves the deadline later (never earlier), as a body's bytes arrive.
    void extend_to(Clock::time_point deadline);
    /// The deadline has passed (the connection was, or is about to be, shut down).
    bool expired() const;

   private:
    DeadlineWatchdog& watchdog_;
    std::uint64_t id_;
  };

 private:
  struct Entry {
    Clock::time_point deadline;
    int fd = -1;  ///< a dup() owned by the entry
    bool fired = false;
  };
  void run();
  static void shut_down(int fd);

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::map<std::uint64_t, Entry> entries_;
  std::uint64_t next_id_ = 0;
  bool stopping_ = false;
  std::thread thread_;  ///< started with the first Watch
};

}  // namespace kiln::oci
