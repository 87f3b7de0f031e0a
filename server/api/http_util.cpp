#include "server/api/http_util.h"

#include <fmt/format.h>

#include <istream>

namespace kiln::server {

void send_json(Poco::Net::HTTPServerResponse& response, int status, const oci::Json& body) {
  const std::string text = body.dump(2) + "\n";
  response.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
  response.setContentType("application/json");
  response.setContentLength(static_cast<std::streamsize>(text.size()));
  response.send() << text;
}

void send_error(Poco::Net::HTTPServerResponse& response, int status, const std::string& message) {
  send_json(response, status, oci::Json{{"error", message}});
}

std::string read_body(Poco::Net::HTTPServerRequest& request, std::int64_t limit) {
  const auto declared = request.getContentLength64();
  if (declared > limit)
    throw ApiError(413, fmt::format("request body of {} bytes is over the limit of {} bytes (max_request_bytes)", declared, limit));
  std::string body;
  char buffer[65536];
  std::istream& in = request.stream();
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    body.append(buffer, static_cast<std::size_t>(in.gcount()));
    if (static_cast<std::int64_t>(body.size()) > limit)
      throw ApiError(413, fmt::format("request body is over the limit of {} bytes (max_request_bytes)", limit));
  }
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
