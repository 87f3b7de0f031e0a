#include "server/api/http_util.h"

#include <fmt/format.h>

#include <istream>

#include "server/http/connection_watchdog.h"

namespace kiln::server {

void send_json(Poco::Net::HTTPServerResponse& response, int status, const oci::Json& body) {
  const std::string text = body.dump(2) + "\n";
  // With its reason phrase ("401 Unauthorized"): setStatus() alone keeps the default "OK".
  const auto code = static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status);
  response.setStatusAndReason(code, Poco::Net::HTTPResponse::getReasonForStatus(code));
  response.setContentType("application/json");
  response.setContentLength(static_cast<std::streamsize>(text.size()));
  response.send() << text;
}

void send_error(Poco::Net::HTTPServerResponse& response, int status, const std::string& message) {
  send_json(response, status, oci::Json{{"error", message}});
}

std::size_t read_body_chunk(Poco::Net::HTTPServerRequest& request, char* buffer, std::size_t size, std::int64_t limit,
                            std::int64_t read_so_far) {
  if (read_so_far == 0) {
    const auto declared = request.getContentLength64();
    if (declared > limit)
      throw ApiError(413, fmt::format("request body of {} bytes is over the limit of {} bytes (max_request_bytes)", declared, limit));
    request_phase::body_read(0);
  }
  std::istream& in = request.stream();
  in.read(buffer, static_cast<std::streamsize>(size));
  const auto n = static_cast<std::size_t>(in.gcount());
  request_phase::body_read(static_cast<std::int64_t>(n));
  if (read_so_far + static_cast<std::int64_t>(n) > limit)
    throw ApiError(413, fmt::format("request body is over the limit of {} bytes (max_request_bytes)", limit));
  return n;
}

std::string read_body(Poco::Net::HTTPServerRequest& request, std::int64_t limit) {
  std::string body;
  char buffer[65536];
  for (std::size_t n; (n = read_body_chunk(request, buffer, sizeof buffer, limit, body.size())) > 0;) body.append(buffer, n);
  request_phase::body_done();
  return body;
}

oci::Json read_json_body(Poco::Net::HTTPServerRequest& request, std::int64_t limit) {
  const std::string body = read_body(request, limit);
  try {
    return oci::Json::parse(body);
  } catch (const oci::Json::parse_error& e) {
    throw ApiError(400, fmt::format("malformed JSON: {}", e.what()));
  }
}

}  // namespace kiln::server
