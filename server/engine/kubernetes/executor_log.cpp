#include "server/engine/kubernetes/executor_log.h"

#include "core/log.h"
#include "server/engine/kubernetes/kaniko_build_pod.h"

namespace kiln::server {

ExecutorLog::ExecutorLog(kubernetes::ApiClient& client, std::string pod_name, const LogSink& sink,
                         std::chrono::seconds idle_timeout)
    : client_(client), pod_name_(std::move(pod_name)), sink_(sink), idle_timeout_(idle_timeout) {}

ExecutorLog::~ExecutorLog() { stop(); }

void ExecutorLog::start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] {
    try {
      // Lines are redacted: a RUN that prints a build secret must not put it in kiln-server's logs.
      client_.follow_pod_log(pod_name_, executor_container, idle_timeout_, interrupt_,
                             [this](std::string_view line) { sink_(log::redact(std::string(line))); });
    } catch (const std::exception& e) {
      std::lock_guard lock(mutex_);
      error_ = e.what();
    }
    std::lock_guard lock(mutex_);
    done_ = true;
    ended_.notify_all();
  });
}

void ExecutorLog::finish(std::chrono::milliseconds grace) {
  if (!thread_.joinable()) return;
  {
    std::unique_lock lock(mutex_);
    ended_.wait_for(lock, grace, [this] { return done_; });
  }
  stop();
}

void ExecutorLog::stop() {
  interrupt_.interrupt();
  if (thread_.joinable()) thread_.join();
}

std::string ExecutorLog::error() const {
  std::lock_guard lock(mutex_);
  return error_;
}

}  // namespace kiln::server
