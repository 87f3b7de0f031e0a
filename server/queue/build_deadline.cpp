#include "server/queue/build_deadline.h"

namespace kiln::server {

BuildDeadline::BuildDeadline(std::chrono::seconds limit, std::atomic<bool>& cancel) : limit_(limit) {
  thread_ = std::thread([this, &cancel] {
    std::unique_lock lock(mutex_);
    if (ended_.wait_for(lock, limit_, [this] { return done_; })) return;
    expired_ = true;
    cancel = true;
  });
}

BuildDeadline::~BuildDeadline() {
  {
    std::lock_guard lock(mutex_);
    done_ = true;
  }
  ended_.notify_all();
  thread_.join();
}

}  // namespace kiln::server
