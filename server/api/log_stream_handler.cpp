// GET /v1/builds/{id}/log: the build's log as Server-Sent Events. Lines already written come
// first, then live lines as the build produces them; the stream ends with an `end` event whose
// data is {"state": …}. Each line's event has an `id:` (the offset just after it in the log); a
// reconnect with Last-Event-ID goes on after that line. A queued build's stream waits for it to
// start. The request thread only checks the request: the stream itself is handed to the
// LogStreams thread, still counted toward its client's max_connections_per_client.
// With ?format=text (or Accept: text/plain and not text/event-stream) the answer is the log as
// stored so far, as plain text.
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/StreamCopier.h>
#include <fmt/format.h>

#include <fstream>

#include "server/api/http_util.h"
#include "server/api/routes.h"
#include "server/http/connection_watchdog.h"

namespace kiln::server {
namespace {

// ?format= (declared on the route) decides; without it, an Accept that asks for text only.
bool wants_text(const QueryParams& query, const Request& request) {
  if (const auto format = query.get("format")) {
    if (*format == "text") return true;
    if (*format == "sse") return false;
    throw ApiError(400, fmt::format("format: '{}' is not text or sse", *format));
  }
  const std::string accept = request.get("Accept", "");
  return accept.find("text/plain") != std::string::npos && accept.find("text/event-stream") == std::string::npos;
}

// Last-Event-ID as this server writes it: a decimal byte offset.
std::int64_t resume_offset(const Request& request) {
  if (!request.has("Last-Event-ID")) return 0;
  const std::string& text = request.get("Last-Event-ID");
  if (text.empty() || text.size() > 18 || text.find_first_not_of("0123456789") != std::string::npos)
    throw ApiError(400, "Last-Event-ID: expected the id of an event of this stream (a decimal offset in the log)");
  return std::stoll(text);
}

void send_text_log(ApiContext& ctx, const std::string& id, Response& response) {
  response.setStatus(Poco::Net::HTTPResponse::HTTP_OK);
  response.setContentType("text/plain; charset=utf-8");
  response.set("Content-Disposition", fmt::format("attachment; filename=\"{}.log\"", id));
  response.setChunkedTransferEncoding(true);
  std::ostream& out = response.send();
  // Lines were redacted before they were written: the file holds no secret to take out.
  std::ifstream in(ctx.queue.log_file(id), std::ios::binary);
  if (in) Poco::StreamCopier::copyStream(in, out);
}

}  // namespace

void stream_build_log(ApiCall& call) {
  ApiContext& ctx = call.ctx;
  Request& request = call.request;
  Response& response = call.response;
  const std::string& id = call.path.at("id");
  if (!ctx.store.get(id)) throw ApiError(404, fmt::format("no build '{}'", id));
  if (wants_text(call.query, request)) {
    send_text_log(ctx, id, response);
    return;
  }
  const std::int64_t resume_after = resume_offset(request);
  auto* connection = dynamic_cast<Poco::Net::HTTPServerRequestImpl*>(&request);
  if (!connection) throw ApiError(500, "log streams need Poco's own request type");
  if (ctx.log_streams.open() >= ctx.log_streams.max_streams()) {
    response.set("Retry-After", "10");
    throw ApiError(503, fmt::format("{} log streams are open, the most this server serves (max_log_streams); retry later",
                                    ctx.log_streams.max_streams()));
  }
  // Taken before the socket leaves the connection, so the client's count never drops in between.
  ConnectionHold hold = request_phase::hold_connection();
  Poco::Net::StreamSocket socket = connection->detachSocket();
  if (!ctx.log_streams.add(socket, id, resume_after, std::move(hold))) {
    // Another request took the last place since the check above: answer on the socket itself.
    const std::string body = oci::Json{{"error", "too many open log streams (max_log_streams); retry later"}}.dump() + "\n";
    const std::string answer = fmt::format(
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nRetry-After: 10\r\nContent-Length: {}\r\n"
        "Connection: close\r\n\r\n{}",
        body.size(), body);
    try {
      socket.sendBytes(answer.data(), static_cast<int>(answer.size()));
      socket.close();
    } catch (const std::exception&) {
    }
  }
  response.setKeepAlive(false);
}

}  // namespace kiln::server
