#include "server/store/random_id.h"
#include "server/queue/build_queue.h"

#include <fmt/format.h>
#include <openssl/crypto.h>
#include <spdlog/spdlog.h>

#include <chrono>

#include "core/duration.h"
#include "core/error.h"
#include "core/log.h"
#include "server/auth/token_auth.h"
#include "server/policy/build_paths.h"
#include "server/queue/build_deadline.h"
#include "server/queue/verify_step.h"
#include "server/store/private_directory.h"

namespace kiln::server {
namespace {

BuildState to_build_state(BuildResult::State s) {
  switch (s) {
    case BuildResult::State::succeeded: return BuildState::succeeded;
    case BuildResult::State::cancelled: return BuildState::cancelled;
    case BuildResult::State::failed: break;
  }
  return BuildState::failed;
}

// A build's temp root: private while the build runs, removed however it ends (done, failed,
// cancelled, or stopped by a shutdown). A SIGKILLed server leaves it; the next start removes it.
class BuildTempRoot {
 public:
  explicit BuildTempRoot(std::filesystem::path dir) : dir_(std::move(dir)) {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
    create_private_directory(dir_);
  }
  ~BuildTempRoot() { remove(); }
  /// Before the build's end is recorded: whoever sees the end sees the directory gone.
  void remove() {
    if (dir_.empty()) return;
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
    if (ec) spdlog::warn("cannot remove the build's temp dir {}: {}", dir_.string(), ec.message());
    dir_.clear();
  }
  BuildTempRoot(const BuildTempRoot&) = delete;
  BuildTempRoot& operator=(const BuildTempRoot&) = delete;
  const std::filesystem::path& path() const { return dir_; }

 private:
  std::filesystem::path dir_;
};

// What a killed server (and its killed builds) left: each may hold merged registry credentials.
int remove_leftover_temp_roots(const std::filesystem::path& temp_dir) {
  int removed = 0;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(temp_dir, ec)) {
    std::error_code remove_error;
    std::filesystem::remove_all(entry.path(), remove_error);
    if (remove_error) spdlog::warn("cannot remove {}: {}", entry.path().string(), remove_error.message());
    else ++removed;
  }
  return removed;
}

}  // namespace

BuildQueue::BuildQueue(BuildStore& store, Engine& engine, Metrics& metrics, QueueOptions options)
    : store_(store), engine_(engine), metrics_(metrics), options_(std::move(options)) {
  create_private_directory(options_.logs_dir);
  create_private_directory(options_.reports_dir);
  create_private_directory(options_.temp_dir);
  if (const int removed = remove_leftover_temp_roots(options_.temp_dir); removed > 0)
    spdlog::warn("removed {} temp dir(s) that builds of an abruptly ended run left in {}", removed, options_.temp_dir.string());
}

BuildQueue::~BuildQueue() { stop(); }

void BuildQueue::stop() {
  stopping_ = true;
  {
    std::lock_guard lock(mutex_);
    for (auto& [id, r] : running_) *r.cancel = true;
  }
  wake_.notify_all();
  for (auto& t : workers_)
    if (t.joinable()) t.join();
}

void BuildQueue::start() {
  for (int i = 0; i < options_.concurrency; ++i) workers_.emplace_back([this] { work(); });
}

void BuildQueue::notify() { wake_.notify_all(); }

void BuildQueue::work() {
  while (!stopping_) {
    std::optional<BuildRecord> record;
    try {
      record = store_.claim_next();
    } catch (const std::exception& e) {
      spdlog::error("cannot take the next build from the store: {}", e.what());
    }
    if (!record) {
      std::unique_lock lock(mutex_);
      // Bounded wait: a build inserted between claim_next() and this wait is still found.
      wake_.wait_for(lock, std::chrono::milliseconds(500));
      continue;
    }
    const std::string id = record->id;
    try {
      run_one(std::move(*record));
    } catch (const std::exception& e) {
      // The build could not even be set up (log file, disk): it fails, the worker lives on.
      spdlog::error("build {}: {}", id, e.what());
      BuildRecord failed;
      failed.id = id;
      failed.state = BuildState::failed;
      failed.finished_ms = now_ms();
      failed.message = e.what();
      try {
        store_.finish(failed);
      } catch (const std::exception&) {
      }
      std::lock_guard lock(mutex_);
      running_.erase(id);
    }
  }
}

void BuildQueue::run_one(BuildRecord record) {
  const std::string id = record.id;
  std::vector<std::string> secrets;
  for (const auto& [k, v] : record.spec.secret_settings) secrets.push_back(v);
  for (const auto& [k, v] : record.spec.verify_secret_settings) secrets.push_back(v);
  const log::ScopedSecrets redacted_while_it_runs(secrets);
  // And whatever the run registers itself (the Kubernetes engine loads the build's settings).
  const log::RedactionScope registered_by_the_run;

  auto cancel = std::make_shared<std::atomic<bool>>(false);
  auto build_log = std::make_shared<BuildLog>(log_file(id), options_.log_cap_bytes, secrets);
  BuildRequest request{.id = id, .settings = record.spec.settings, .context_dir = record.spec.context_dir};
  for (const auto& [k, v] : record.spec.secret_settings) request.settings[k] = v;
  std::string token_hash;
  if (!options_.context_base_url.empty()) {
    request.context_url = options_.context_base_url + "/v1/builds/" + id + "/context";
    request.context_token = random_hex(24);
    token_hash = sha256_hex(request.context_token);
  }
  {
    std::lock_guard lock(mutex_);
    running_[id] = Running{cancel, build_log, token_hash};
    if (cancel_requested_.erase(id) > 0) *cancel = true;
    // Taken just as the server began to stop (stop() sets stopping_ before it cancels what is
    // in running_): it goes back to the queue at once.
    if (stopping_) *cancel = true;
  }
  if (record.attempts > 1)
    build_log->append(fmt::format("--- kiln-server: attempt {} (the previous run was interrupted by a server restart)",
                                  record.attempts));
  spdlog::info("build {} started (attempt {})", id, record.attempts);

  const LogSink sink = [&](std::string_view line) { build_log->append(line); };
  // Checked at submission; checked again now, as a context on the server may have changed since.
  try {
    if (!context_dir_allowed(record.spec.context_dir, options_.contexts))
      throw_usage(fmt::format("context: '{}' is no longer an upload or below context_roots", record.spec.context_dir));
    check_paths_inside_context(record.spec);
  } catch (const kiln::Error& e) {
    build_log->append(fmt::format("--- kiln-server: not run: {}", e.what()));
    record.state = BuildState::failed;
    record.message = e.what();
    record.finished_ms = now_ms();
    store_.finish(record);
    build_log->close(to_string(record.state));
    std::lock_guard lock(mutex_);
    running_.erase(id);
    return;
  }
  BuildTempRoot temp_root(options_.temp_dir / id);
  request.temp_dir = temp_root.path();
  const bool own_timeout = record.spec.timeout_seconds > 0;
  const BuildDeadline deadline(own_timeout ? std::chrono::seconds(record.spec.timeout_seconds) : options_.build_timeout, *cancel);
  const auto timed_out = [&] {
    return fmt::format("timed out: stopped after {} ({})", format_go_duration(deadline.limit()),
                       own_timeout ? "the build's timeout" : "the server's build_timeout");
  };
  BuildResult result = engine_.run(request, sink, *cancel);

  if (stopping_ && !deadline.expired() && result.state == BuildResult::State::cancelled) {
    // Server shutdown, not the user: the build runs again after the restart.
    temp_root.remove();
    build_log->append("--- kiln-server: stopped by a server shutdown; queued again");
    build_log->close("queued");
    store_.requeue(id);
    std::lock_guard lock(mutex_);
    running_.erase(id);
    return;
  }

  record.state = to_build_state(result.state);
  record.exit_code = result.exit_code;
  record.digest = result.digest;
  record.message = result.message;
  if (deadline.expired() && record.state != BuildState::succeeded) {
    record.state = BuildState::failed;
    record.message = timed_out();
  }
  if (record.state == BuildState::succeeded && record.spec.verify) {
    const VerifyOutcome v =
        run_verify_step(options_.verify_binary, record.spec, record.digest, report_file(id), temp_root.path(), sink, *cancel);
    record.has_report = v.report_written;
    if (deadline.expired()) {
      record.state = BuildState::failed;
      record.message = timed_out() + " during the verify step";
    } else if (*cancel) {
      record.state = BuildState::cancelled;
      record.message = "cancelled during the verify step";
    } else if (v.exit_code != 0) {
      record.state = BuildState::failed;
      record.message = fmt::format("built and pushed {}, but kiln-verify exited with {}", record.digest, v.exit_code);
    }
  }
  if (deadline.expired()) build_log->append("--- kiln-server: " + record.message);
  temp_root.remove();
  record.finished_ms = now_ms();
  try {
    store_.finish(record);
  } catch (const std::exception& e) {
    spdlog::error("build {}: cannot record its end: {}", id, e.what());
  }
  metrics_.observe_build(record.state, static_cast<double>(record.finished_ms - record.started_ms) / 1000.0);
  spdlog::info("build {} {}{}", id, to_string(record.state), record.message.empty() ? "" : ": " + record.message);
  build_log->close(to_string(record.state));
  std::lock_guard lock(mutex_);
  running_.erase(id);
}

bool BuildQueue::cancel(const std::string& id) {
  std::lock_guard lock(mutex_);
  if (auto it = running_.find(id); it != running_.end()) {
    *it->second.cancel = true;
    return true;
  }
  // Claimed by a worker but not registered yet: it is cancelled as soon as it is.
  cancel_requested_.insert(id);
  return false;
}

std::shared_ptr<BuildLog> BuildQueue::live_log(const std::string& id) const {
  std::lock_guard lock(mutex_);
  auto it = running_.find(id);
  return it == running_.end() ? nullptr : it->second.log;
}

int BuildQueue::busy_workers() const {
  std::lock_guard lock(mutex_);
  return static_cast<int>(running_.size());
}

bool BuildQueue::context_token_valid(const std::string& id, const std::string& token) const {
  const std::string presented = sha256_hex(token);
  std::lock_guard lock(mutex_);
  auto it = running_.find(id);
  if (it == running_.end() || it->second.context_token_sha256.size() != presented.size()) return false;
  return CRYPTO_memcmp(it->second.context_token_sha256.data(), presented.data(), presented.size()) == 0;
}

}  // namespace kiln::server
