// Streamed blob upload: the PATCH body is produced while it is sent, so compressing a layer
// and uploading it overlap instead of adding up.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "oci/registry/client_impl.h"
#include "oci/registry/scope.h"

namespace kiln::oci {
namespace {

// Enough to keep the connection busy while the compressor produces the next blocks, small
// enough that a 1 GB layer never sits in memory.
constexpr std::size_t kMaxQueuedBytes = 8u << 20;

}  // namespace

struct RegistryClient::StreamedUpload::State {
  State(RegistryClient::Impl& impl_, std::string repository_)
      : impl(impl_),
        repository(std::move(repository_)),
        op(fmt::format("streamed upload into {}", repository)),
        connection(SessionOptions{.ca_file = impl.options.ca_file, .timeout = impl.options.timeout, .min_blob_rate = impl.options.min_blob_rate, .verify_tls = impl.options.verify_tls}) {}

  void send_body(const std::function<void(const char*, std::size_t)>& send) {
    std::string chunk;
    for (;;) {
      {
        std::unique_lock lock(mutex);
        if (chunk.capacity() > 0) spare.push_back(std::move(chunk));
        changed.wait(lock, [&] { return !queue.empty() || closed; });
        if (queue.empty()) return;
        chunk = std::move(queue.front());
        queue.pop_front();
        queued -= chunk.size();
      }
      changed.notify_all();
      send(chunk.data(), chunk.size());
    }
  }

  void run_sender(HttpRequest patch) {
    patch.stream_body = [this](const std::function<void(const char*, std::size_t)>& send) { send_body(send); };
    try {
      HttpResponse response = connection.send(patch);
      std::lock_guard lock(mutex);
      patch_response = std::move(response);
    } catch (const std::exception& e) {
      std::lock_guard lock(mutex);
      failed = true;
      failure = e.what();
    }
    changed.notify_all();
  }

  RegistryClient::Impl& impl;
  std::string repository;
  std::string op;
  std::string location;       ///< the session URL the next request goes to
  std::string authorization;  ///< computed on the caller's thread: the auth layer is not shared
  SessionTransport connection;
  std::thread sender;

  std::mutex mutex;
  std::condition_variable changed;
  std::deque<std::string> queue;
  std::size_t queued = 0;
  // Sent chunks, kept for the next ones: fresh buffers for every chunk would cost the kernel a
  // page fault (and a page to zero) per 4 KiB of the layer.
  std::vector<std::string> spare;
  bool closed = false;
  bool failed = false;
  bool committed = false;
  std::string failure;
  std::optional<HttpResponse> patch_response;
};

RegistryClient::StreamedUpload::StreamedUpload(std::unique_ptr<State> state) : state_(std::move(state)) {}

RegistryClient::StreamedUpload::~StreamedUpload() {
  State& s = *state_;
  {
    std::lock_guard lock(s.mutex);
    s.closed = true;
    if (!s.committed) {
      s.failed = true;
      s.queue.clear();  // abandoned: the bytes still queued are not worth sending
      s.queued = 0;
    }
  }
  s.changed.notify_all();
  if (s.sender.joinable()) s.sender.join();
  if (s.committed || s.location.empty()) return;
  // Abandoned: cancel the session rather than leave it to the registry's purger. After a
  // PATCH, only the Location it answered names the session's current state.
  try {
    if (s.patch_response)
      if (auto next = s.patch_response->header("location"); next && !next->empty())
        s.location = resolve_url(s.patch_response->url, *next);
    HttpRequest cancel = HttpRequest::to("DELETE", s.location);
    if (!s.authorization.empty()) cancel.set_header("Authorization", s.authorization);
    s.connection.send(cancel);
  } catch (const std::exception& e) {
    spdlog::debug("{}: {}: cancel: {}", s.impl.registry, s.op, e.what());
  }
}

void RegistryClient::StreamedUpload::write(const void* data, std::size_t size) noexcept {
  State& s = *state_;
  try {
    std::unique_lock lock(s.mutex);
    s.changed.wait(lock, [&] { return s.queued < kMaxQueuedBytes || s.failed; });
    if (s.failed || s.closed) return;
    std::string chunk;
    if (!s.spare.empty()) {
      chunk = std::move(s.spare.back());
      s.spare.pop_back();
    }
    chunk.assign(static_cast<const char*>(data), size);
    s.queue.push_back(std::move(chunk));
    s.queued += size;
  } catch (const std::exception& e) {  // out of memory: stop streaming, the file remains
    std::lock_guard lock(s.mutex);
    s.failed = true;
    s.failure = e.what();
  }
  s.changed.notify_all();
}

bool RegistryClient::StreamedUpload::commit(const Digest& digest) {
  State& s = *state_;
  {
    std::lock_guard lock(s.mutex);
    s.closed = true;
  }
  s.changed.notify_all();
  if (s.sender.joinable()) s.sender.join();
  const std::string op = fmt::format("{}: {}", s.impl.registry, s.op);
  if (s.failed) {
    spdlog::warn("{}: {}; uploading the finished layer instead", op, s.failure);
    return false;
  }
  try {
    const HttpResponse& patched = *s.patch_response;
    s.impl.expect(s.op, patched, {202});
    const auto next = patched.header("location");
    if (!next || next->empty()) s.impl.fail_plain(s.op, "the registry answered the PATCH without a Location");
    s.location = resolve_url(patched.url, *next);
    HttpRequest put = HttpRequest::to("PUT", append_query(s.location, "digest", digest.to_string()));
    put.scopes = {scope::push(s.repository)};
    const HttpResponse done = s.impl.send(s.op, put);
    s.impl.expect(s.op, done, {201});
    if (auto stored = done.header("docker-content-digest"); stored && *stored != digest.to_string())
      s.impl.fail_plain(s.op, fmt::format("the registry stored {} for {}", *stored, digest.to_string()));
    s.committed = true;
    return true;
  } catch (const RegistryError& e) {
    spdlog::warn("{}; uploading the finished layer instead", e.what());
    return false;
  }
}

std::unique_ptr<RegistryClient::StreamedUpload> RegistryClient::start_streamed_upload(const std::string& repository) {
  auto state = std::make_unique<StreamedUpload::State>(*impl_, repository);
  StreamedUpload::State* s = state.get();
  impl_->retrier.run(s->op, [&] {
    HttpRequest start = HttpRequest::to("POST", impl_->url("/v2/" + repository + "/blobs/uploads/"));
    start.scopes = {scope::push(repository)};
    HttpResponse started = impl_->send(s->op, start);
    impl_->expect(s->op, started, {202});
    auto location = started.header("location");
    if (!location || location->empty()) impl_->fail_plain(s->op, "the registry opened an upload without a Location");
    s->location = resolve_url(started.url, *location);
  });
  HttpRequest patch = HttpRequest::to("PATCH", s->location);
  patch.set_header("Content-Type", "application/octet-stream");
  patch.scopes = {scope::push(repository)};
  s->authorization = impl_->auth.authorization_for(patch);
  if (!s->authorization.empty()) patch.set_header("Authorization", s->authorization);
  s->sender = std::thread([s, patch = std::move(patch)]() mutable { s->run_sender(std::move(patch)); });
  return std::unique_ptr<StreamedUpload>(new StreamedUpload(std::move(state)));
}

}  // namespace kiln::oci
