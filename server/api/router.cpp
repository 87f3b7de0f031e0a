#include "server/api/router.h"

#include <Poco/Net/HTTPRequestHandler.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <map>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/log.h"
#include "server/api/http_util.h"
#include "server/api/routes.h"
#include "server/http/connection_watchdog.h"

namespace kiln::server {
namespace {

using PathParts = std::vector<std::string>;

PathParts split_path(const std::string& uri) {
  std::string path = uri.substr(0, uri.find('?'));
  PathParts parts;
  std::size_t start = 0;
  while (start < path.size()) {
    auto end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    if (end > start) parts.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

// A route's path template against the request's path: "{name}" takes any one segment.
bool match(std::string_view path_template, const PathParts& parts, std::map<std::string, std::string>& captured) {
  const PathParts segments = split_path(std::string(path_template));
  if (segments.size() != parts.size()) return false;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const std::string& segment = segments[i];
    if (segment.size() > 2 && segment.front() == '{' && segment.back() == '}')
      captured[segment.substr(1, segment.size() - 2)] = parts[i];
    else if (segment != parts[i])
      return false;
  }
  return true;
}

void discard_body(Request& request) {
  constexpr std::streamsize kMaxDiscard = 8 << 20;
  char buffer[65536];
  std::streamsize total = 0;
  try {
    std::istream& in = request.stream();
    request_phase::body_read(0);
    while (total < kMaxDiscard && (in.read(buffer, sizeof buffer) || in.gcount() > 0)) {
      total += in.gcount();
      request_phase::body_read(in.gcount());
    }
  } catch (const std::exception&) {
  }
  request_phase::body_done();
}

// The next request on this connection has header_timeout again, however this one ended.
struct RequestDone {
  ~RequestDone() { request_phase::request_done(); }
};

class ApiHandler final : public Poco::Net::HTTPRequestHandler {
 public:
  explicit ApiHandler(ApiContext& ctx) : ctx_(ctx) {}

  void handleRequest(Request& request, Response& response) override {
    const RequestDone done;
    // What checking a submission registers for redaction (its secret settings) lasts as long as
    // the request; the build's run registers them again while it runs.
    const log::RedactionScope request_secrets;
    try {
      route(request, response);
    } catch (const ApiError& e) {
      // The body may be unread: read (a bounded part of) it, so that the client, still
      // sending, is not reset before it reads the answer; then close the connection.
      discard_body(request);
      response.setKeepAlive(false);
      if (!response.sent()) send_error(response, e.status(), e.what());
    } catch (const kiln::Error& e) {
      if (!response.sent()) send_error(response, e.exit_class() == ExitClass::usage ? 400 : 500, e.what());
    } catch (const std::exception& e) {
      spdlog::error("{} {}: {}", request.getMethod(), request.getURI(), e.what());
      if (!response.sent()) send_error(response, 500, "internal error; see the server log");
    }
  }

 private:
  void route(Request& request, Response& response) {
    const PathParts parts = split_path(request.getURI());
    const Route* found = nullptr;
    std::map<std::string, std::string> params;
    std::string allowed;  // the methods of the routes whose path matches, for a 405
    for (const Route& route : api_routes()) {
      std::map<std::string, std::string> captured;
      if (!match(route.path, parts, captured)) continue;
      if (route.method != request.getMethod()) {
        allowed += (allowed.empty() ? "" : ", ") + std::string(route.method);
        continue;
      }
      found = &route;
      params = std::move(captured);
      break;
    }
    if (!found || found->access == Access::api_token) authorize(request, response);
    if (!found && !allowed.empty()) {
      response.set("Allow", allowed);
      throw ApiError(405, fmt::format("{} {}: method not allowed (use {})", request.getMethod(), request.getURI(), allowed));
    }
    if (!found) throw ApiError(404, fmt::format("no such endpoint: {}", request.getURI()));
    ApiCall call{ctx_, request, response, std::move(params), QueryParams::parse(request.getURI(), found->query)};
    found->handler(call);
  }

  // A bearer token of token_sha256, within its rate limit.
  void authorize(Request& request, Response& response) {
    const auto token = ctx_.auth.authenticate(request.get("Authorization", ""));
    if (!token) {
      response.set("WWW-Authenticate", "Bearer realm=\"kiln-server\"");
      throw ApiError(401, "missing or unknown bearer token (Authorization: Bearer <token>)");
    }
    if (const int wait = ctx_.limiter.acquire(*token); wait > 0) {
      response.set("Retry-After", std::to_string(wait));
      throw ApiError(429, fmt::format("rate limit of this token exceeded; retry after {} s", wait));
    }
  }

  ApiContext& ctx_;
};

}  // namespace

Poco::Net::HTTPRequestHandler* Router::createRequestHandler(const Poco::Net::HTTPServerRequest&) {
  request_phase::headers_read();
  return new ApiHandler(context_);
}

}  // namespace kiln::server
