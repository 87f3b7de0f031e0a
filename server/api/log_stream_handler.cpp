// GET /v1/builds/{id}/log: the build's log as Server-Sent Events. Lines already written come
// first, then live lines as the build produces them; the stream ends with an `end` event whose
// data is {"state": …}. A queued build's stream waits for it to start.
#include <fmt/format.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "server/api/http_util.h"
#include "server/api/routes.h"

namespace kiln::server {
namespace {

using namespace std::chrono_literals;

class EventStream {
 public:
  explicit EventStream(std::ostream& out) : out_(out) {}
  bool line(std::string_view text) {
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    out_ << "data: " << text << "\n\n";
    return static_cast<bool>(out_);
  }
  bool comment(std::string_view text) {
    out_ << ": " << text << "\n\n" << std::flush;
    return static_cast<bool>(out_);
  }
  void end(const std::string& state) {
    out_ << "event: end\ndata: " << oci::Json{{"state", state}}.dump() << "\n\n" << std::flush;
  }
  bool flush() {
    out_.flush();
    return static_cast<bool>(out_);
  }

 private:
  std::ostream& out_;
};

// Sends the first `limit` bytes of the log file (-1: all of it), line by line.
bool send_file(EventStream& events, const std::filesystem::path& file, std::int64_t limit) {
  std::ifstream in(file, std::ios::binary);
  std::string line;
  std::int64_t sent = 0;
  while ((limit < 0 || sent < limit) && std::getline(in, line)) {
    sent += static_cast<std::int64_t>(line.size() + 1);
    if (!events.line(line)) return false;
  }
  return events.flush();
}

}  // namespace

void handle_build_log(ApiContext& ctx, const std::string& id, Request& request, Response& response) {
  if (request.getMethod() != "GET") throw ApiError(405, "use GET");
  if (!ctx.store.get(id)) throw ApiError(404, fmt::format("no build '{}'", id));
  response.setStatus(Poco::Net::HTTPResponse::HTTP_OK);
  response.setContentType("text/event-stream");
  response.set("Cache-Control", "no-cache");
  response.setChunkedTransferEncoding(true);
  EventStream events(response.send());
  events.comment("kiln-server log of " + id);

  // Bounded: a stream lasts at most a day; a client that goes away ends it at the next write.
  const auto deadline = std::chrono::steady_clock::now() + 24h;
  auto last_write = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() < deadline) {
    // The live log first: a build that just ended may be final in the store while its log is
    // still writing the kept tail.
    const auto live = ctx.queue.live_log(id);
    const auto record = ctx.store.get(id);
    if (!record) return;
    if (!live && is_final(record->state)) {
      if (send_file(events, ctx.queue.log_file(id), -1)) events.end(to_string(record->state));
      return;
    }
    if (!live) {
      // Queued, or between the store and the worker: look again shortly (each look is a query
      // on the store every worker also needs, so not too often).
      if (std::chrono::steady_clock::now() - last_write > 10s) {
        if (!events.comment("waiting")) return;
        last_write = std::chrono::steady_clock::now();
      }
      std::this_thread::sleep_for(200ms);
      continue;
    }
    if (!send_file(events, ctx.queue.log_file(id), live->prior_bytes())) return;
    for (std::size_t next = 0;;) {
      const BuildLog::Chunk chunk = live->read_from(next, 1s);
      for (const auto& line : chunk.lines)
        if (!events.line(line)) return;
      next = chunk.next;
      if (!events.flush()) return;
      if (chunk.ended) {
        events.end(chunk.final_state);
        return;
      }
      if (std::chrono::steady_clock::now() > deadline) return;
    }
  }
}

}  // namespace kiln::server
