// /v1/builds: submit, list, get, cancel, and the verify report.
#include <Poco/StreamCopier.h>
#include <fmt/format.h>

#include <algorithm>

#include <fstream>

#include "server/api/build_submission.h"
#include "server/api/http_util.h"
#include "server/api/routes.h"
#include "server/webhooks/webhook_field.h"

namespace kiln::server {
namespace {

using oci::Json;

BuildRecord require_build(ApiContext& ctx, const std::string& id) {
  auto record = ctx.store.get(id);
  if (!record) throw ApiError(404, fmt::format("no build '{}'", id));
  return *record;
}

void require_method(const Request& request, const char* method) {
  if (request.getMethod() != method)
    throw ApiError(405, fmt::format("{} {}: method not allowed (use {})", request.getMethod(), request.getURI(), method));
}

int list_limit(const Request& request) {
  const std::string& uri = request.getURI();
  const auto at = uri.find("limit=");
  if (at == std::string::npos) return 100;
  try {
    return std::clamp(std::stoi(uri.substr(at + 6)), 1, 1000);
  } catch (const std::exception&) {
    throw ApiError(400, "limit: expected a number");
  }
}

void cancel(ApiContext& ctx, const std::string& id, Response& response) {
  BuildRecord record = require_build(ctx, id);
  if (record.state == BuildState::queued && ctx.store.cancel_queued(id)) {
    send_json(response, 200, build_json(require_build(ctx, id)));
    return;
  }
  record = require_build(ctx, id);
  if (is_final(record.state))
    throw ApiError(409, fmt::format("build '{}' has already ended ({})", id, to_string(record.state)));
  ctx.queue.cancel(id);
  send_json(response, 202, build_json(record));
}

void report(ApiContext& ctx, const std::string& id, Response& response) {
  const BuildRecord record = require_build(ctx, id);
  std::ifstream in(ctx.queue.report_file(id), std::ios::binary);
  if (!record.has_report || !in) throw ApiError(404, fmt::format("build '{}' has no verify report", id));
  response.setStatus(Poco::Net::HTTPResponse::HTTP_OK);
  response.setContentType("application/xml");
  response.setChunkedTransferEncoding(true);
  Poco::StreamCopier::copyStream(in, response.send());
}

}  // namespace

void handle_builds(ApiContext& ctx, const PathParts& parts, Request& request, Response& response) {
  if (parts.size() == 1) {
    if (request.getMethod() == "POST") {
      Json body = read_json_body(request, ctx.config.max_request_bytes);
      const auto webhook = take_webhook(body, ctx.config.webhooks);
      const BuildSpec spec = parse_build(body, {.contexts = ctx.contexts, .max_timeout = ctx.config.build_timeout});
      const auto ids = ctx.store.insert("", {spec});
      if (webhook) ctx.webhooks.subscribe("build", ids.front(), *webhook);
      ctx.queue.notify();
      Json created = build_json(require_build(ctx, ids.front()));
      ctx.webhooks.add_view(created, ids.front());
      send_json(response, 201, created);
      return;
    }
    require_method(request, "GET");
    Json list = Json::array();
    for (const auto& r : ctx.store.list(list_limit(request))) list.push_back(build_json(r));
    send_json(response, 200, Json{{"builds", list}});
    return;
  }
  const std::string& id = parts[1];
  if (parts.size() == 2) {
    require_method(request, "GET");
    Json build = build_json(require_build(ctx, id));
    ctx.webhooks.add_view(build, id);
    send_json(response, 200, build);
  } else if (parts.size() == 3 && parts[2] == "cancel") {
    require_method(request, "POST");
    cancel(ctx, id, response);
  } else if (parts.size() == 3 && parts[2] == "report") {
    require_method(request, "GET");
    report(ctx, id, response);
  } else {
    throw ApiError(404, fmt::format("no such endpoint: {}", request.getURI()));
  }
}

}  // namespace kiln::server
