#include "server/webhooks/exchange_deadline.h"

#include <sys/socket.h>

namespace kiln::server {

ExchangeDeadline::ExchangeDeadline(std::chrono::steady_clock::time_point deadline, const std::atomic<bool>& stopping)
    : deadline_(deadline), stopping_(stopping), watcher_([this] { run(); }) {}

ExchangeDeadline::~ExchangeDeadline() {
  {
    std::lock_guard lock(mutex_);
    done_ = true;
  }
  wake_.notify_all();
  watcher_.join();
}

void ExchangeDeadline::watch(int fd) {
  std::lock_guard lock(mutex_);
  fd_ = fd;
  if (expired_ && fd_ >= 0) ::shutdown(fd_, SHUT_RDWR);
}

void ExchangeDeadline::run() {
  std::unique_lock lock(mutex_);
  // Short steps: a server shutdown (stopping_) is noticed within one.
  while (!done_ && !stopping_ && std::chrono::steady_clock::now() < deadline_)
    wake_.wait_until(lock, std::min(deadline_, std::chrono::steady_clock::now() + std::chrono::milliseconds(100)));
  if (done_) return;
  expired_ = true;
  if (fd_ >= 0) ::shutdown(fd_, SHUT_RDWR);
}

}  // namespace kiln::server
