// GET /v1/builds/{id}/log: the build's log as Server-Sent Events. Lines already written come
// first, then live lines as the build produces them; the stream ends with an `end` event whose
// data is {"state": …}. A queued build's stream waits for it to start. The request thread only
// checks the request: the stream itself is handed to the LogStreams thread.
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <fmt/format.h>

#include "server/api/http_util.h"
#include "server/api/routes.h"

namespace kiln::server {

void stream_build_log(ApiCall& call) {
  ApiContext& ctx = call.ctx;
  Request& request = call.request;
  Response& response = call.response;
  const std::string& id = call.path.at("id");
  if (!ctx.store.get(id)) throw ApiError(404, fmt::format("no build '{}'", id));
  auto* connection = dynamic_cast<Poco::Net::HTTPServerRequestImpl*>(&request);
  if (!connection) throw ApiError(500, "log streams need Poco's own request type");
  if (ctx.log_streams.open() >= ctx.log_streams.max_streams()) {
    response.set("Retry-After", "10");
    throw ApiError(503, fmt::format("{} log streams are open, the most this server serves (max_log_streams); retry later",
                                    ctx.log_streams.max_streams()));
  }
  Poco::Net::StreamSocket socket = connection->detachSocket();
  if (!ctx.log_streams.add(socket, id)) {
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
