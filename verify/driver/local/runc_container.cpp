#include "verify/driver/local/runc_container.h"

#include <condition_variable>
#include <mutex>
#include <thread>

#include "core/log.h"

namespace kiln::verify {

RuncContainer::RuncContainer(std::string runc, std::filesystem::path state_root, std::filesystem::path bundle,
                             std::string id)
    : runc_(std::move(runc)), state_root_(std::move(state_root)), bundle_(std::move(bundle)), id_(std::move(id)) {}

std::vector<std::string> RuncContainer::runc(std::initializer_list<std::string> args) const {
  std::vector<std::string> argv{runc_, "--root", state_root_.string()};
  argv.insert(argv.end(), args);
  return argv;
}

RuncContainer::~RuncContainer() {
  try {
    const ProcessResult r = run_process(runc({"delete", "--force", id_}), {.timeout = std::chrono::seconds(30)});
    // `runc run` removes a container that ended by itself; then there is nothing to delete.
    if (r.exit_code != 0 && r.err.find("does not exist") == std::string::npos)
      spdlog::warn("runc delete --force {} exited {}: {}", id_, r.exit_code, r.err);
  } catch (const std::exception& e) {
    spdlog::warn("runc delete --force {} failed: {}", id_, e.what());
  }
}

RuncContainer::Outcome RuncContainer::run(std::chrono::milliseconds timeout) {
  // run_process's own timeout would kill `runc run` only: the container would live on, holding
  // the output pipes open. Killing the container instead ends `runc run` the normal way.
  std::mutex mutex;
  std::condition_variable changed;
  bool finished = false, timed_out = false;
  std::thread watchdog([&] {
    std::unique_lock lock(mutex);
    if (changed.wait_for(lock, timeout, [&] { return finished; })) return;
    timed_out = true;
    // The container may still be starting: try until `runc run` returns, a bounded number of times.
    for (int attempt = 0; attempt < 60 && !finished; ++attempt) {
      lock.unlock();
      try {
        run_process(runc({"kill", "--all", id_, "KILL"}), {.timeout = std::chrono::seconds(10)});
      } catch (const std::exception&) {
      }
      lock.lock();
      changed.wait_for(lock, std::chrono::seconds(1), [&] { return finished; });
    }
  });
  Outcome outcome;
  try {
    outcome.result = run_process(runc({"run", "--bundle", bundle_.string(), id_}));
  } catch (...) {
    {
      std::lock_guard lock(mutex);
      finished = true;
    }
    changed.notify_all();
    watchdog.join();
    throw;
  }
  {
    std::lock_guard lock(mutex);
    finished = true;
  }
  changed.notify_all();
  watchdog.join();
  outcome.timed_out = timed_out;
  return outcome;
}

}  // namespace kiln::verify
