#include "server/queue/retention.h"

#include <spdlog/spdlog.h>

#include <set>

namespace kiln::server {
namespace {

void remove_quietly(const std::filesystem::path& path) {
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
  if (ec) spdlog::warn("cannot remove {}: {}", path.string(), ec.message());
}

bool older_than(const std::filesystem::path& dir, std::chrono::seconds age) {
  std::error_code ec;
  const auto modified = std::filesystem::last_write_time(dir, ec);
  return !ec && std::filesystem::file_time_type::clock::now() - modified > age;
}

}  // namespace

bool remove_finished_build(BuildStore& store, const BuildQueue& queue, const std::string& id) {
  if (!store.remove_finished(id)) return false;
  remove_quietly(queue.log_file(id));
  remove_quietly(queue.report_file(id));
  remove_quietly(queue.temp_root(id));
  return true;
}

SweepReport sweep(BuildStore& store, const BuildQueue& queue, const ContextLocations& contexts, const RetentionPolicy& policy) {
  SweepReport report;
  const std::int64_t ended_before = policy.max_age.count() > 0 ? now_ms() - policy.max_age.count() * 1000 : 0;
  std::set<std::string> used_by_removed;
  if (ended_before > 0 || policy.max_builds > 0) {
    for (const BuildRecord& b : store.finished_beyond(ended_before, policy.max_builds)) {
      if (!remove_finished_build(store, queue, b.id)) continue;
      ++report.builds;
      used_by_removed.insert(b.spec.context_dir);
    }
  }
  // An upload nobody has used yet is kept until it is max_age old: its build may be on its way.
  const auto in_use = store.context_dirs();
  const std::set<std::string> used(in_use.begin(), in_use.end());
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(contexts.uploads, ec)) {
    const std::string dir = entry.path().string();
    if (used.count(dir)) continue;
    if (used_by_removed.count(dir) || (policy.max_age.count() > 0 && older_than(entry.path(), policy.max_age))) {
      remove_quietly(entry.path());
      ++report.contexts;
    }
  }
  report.answers = store.forget_answers_before(now_ms() - std::chrono::milliseconds(kIdempotencyLifetime).count());
  return report;
}

RetentionSweeper::RetentionSweeper(BuildStore& store, const BuildQueue& queue, ContextLocations contexts, RetentionPolicy policy)
    : store_(store), queue_(queue), contexts_(std::move(contexts)), policy_(policy) {
  const SweepReport first = sweep(store_, queue_, contexts_, policy_);
  if (first.builds + first.contexts > 0)
    spdlog::info("retention: removed {} finished build(s) and {} unused context(s)", first.builds, first.contexts);
  thread_ = std::thread([this] { loop(); });
}

RetentionSweeper::~RetentionSweeper() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void RetentionSweeper::loop() {
  std::unique_lock lock(mutex_);
  while (!wake_.wait_for(lock, policy_.interval, [this] { return stopping_; })) {
    lock.unlock();
    try {
      const SweepReport r = sweep(store_, queue_, contexts_, policy_);
      if (r.builds + r.contexts > 0)
        spdlog::info("retention: removed {} finished build(s) and {} unused context(s)", r.builds, r.contexts);
    } catch (const std::exception& e) {
      spdlog::error("retention: {}", e.what());
    }
    lock.lock();
  }
}

}  // namespace kiln::server
