#pragma once
// A running build's deadline: when it passes before the build ends, the build is cancelled
// (its process group killed or its pod deleted, as for a user's cancel) and marked as timed
// out, so a build stuck on a registry that never answers gives its slot back.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace kiln::server {

class BuildDeadline {
 public:
  /// Sets `cancel` once `limit` has passed, unless destroyed first.
  BuildDeadline(std::chrono::seconds limit, std::atomic<bool>& cancel);
  ~BuildDeadline();
  BuildDeadline(const BuildDeadline&) = delete;
  BuildDeadline& operator=(const BuildDeadline&) = delete;

  /// True when the deadline passed and cancelled the build.
  bool expired() const { return expired_.load(); }
  std::chrono::seconds limit() const { return limit_; }

 private:
  std::chrono::seconds limit_;
  std::atomic<bool> expired_{false};
  std::mutex mutex_;
  std::condition_variable ended_;
  bool done_ = false;
  std::thread thread_;
};

}  // namespace kiln::server
