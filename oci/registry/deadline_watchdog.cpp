#include "oci/registry/deadline_watchdog.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>

namespace kiln::oci {

DeadlineWatchdog::~DeadlineWatchdog() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
  for (auto& [id, entry] : entries_)
    if (entry.fd >= 0) ::close(entry.fd);
}

void DeadlineWatchdog::shut_down(int fd) {
  // Both directions: a blocked recv() sees the end of the stream, a blocked send() EPIPE.
  if (fd >= 0) ::shutdown(fd, SHUT_RDWR);
}

void DeadlineWatchdog::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    const auto now = Clock::now();
    auto next = Clock::time_point::max();
    for (auto& [id, entry] : entries_) {
      if (entry.fired) continue;
      if (entry.deadline <= now) {
        entry.fired = true;
        shut_down(entry.fd);
      } else {
        next = std::min(next, entry.deadline);
      }
    }
    // Extensions only move deadlines later, so waking at an old one merely looks again.
    if (next == Clock::time_point::max()) changed_.wait(lock);
    else changed_.wait_until(lock, next);
  }
}

DeadlineWatchdog::Watch::Watch(DeadlineWatchdog& watchdog, Clock::time_point deadline) : watchdog_(watchdog) {
  {
    std::lock_guard lock(watchdog_.mutex_);
    id_ = watchdog_.next_id_++;
    watchdog_.entries_.emplace(id_, Entry{.deadline = deadline});
    if (!watchdog_.thread_.joinable()) watchdog_.thread_ = std::thread([this_watchdog = &watchdog_] { this_watchdog->run(); });
  }
  watchdog_.changed_.notify_all();
}

DeadlineWatchdog::Watch::~Watch() {
  int fd = -1;
  {
    std::lock_guard lock(watchdog_.mutex_);
    auto it = watchdog_.entries_.find(id_);
    fd = it->second.fd;
    watchdog_.entries_.erase(it);
  }
  if (fd >= 0) ::close(fd);
}

void DeadlineWatchdog::Watch::attach(int socket_fd) {
  if (socket_fd < 0) return;
  const int own = ::fcntl(socket_fd, F_DUPFD_CLOEXEC, 0);  // not inherited by a child process
  if (own < 0) return;  // out of descriptors: the socket timeouts still bound the exchange
  int replaced = -1;
  {
    std::lock_guard lock(watchdog_.mutex_);
    Entry& entry = watchdog_.entries_.at(id_);
    replaced = entry.fd;
    entry.fd = own;
    if (entry.fired) shut_down(own);
  }
  if (replaced >= 0) ::close(replaced);
}

void DeadlineWatchdog::Watch::extend_to(Clock::time_point deadline) {
  std::lock_guard lock(watchdog_.mutex_);
  Entry& entry = watchdog_.entries_.at(id_);
  if (!entry.fired) entry.deadline = std::max(entry.deadline, deadline);
}

bool DeadlineWatchdog::Watch::expired() const {
  std::lock_guard lock(watchdog_.mutex_);
  const Entry& entry = watchdog_.entries_.at(id_);
  return entry.fired || entry.deadline <= Clock::now();
}

}  // namespace kiln::oci
