// /v1/builds: submit, list, get, cancel, re-run, delete, and the verify report.
#include <Poco/StreamCopier.h>
#include <fmt/format.h>

#include <algorithm>

#include <fstream>

#include "server/api/build_submission.h"
#include "server/api/http_util.h"
#include "server/api/idempotency.h"
#include "server/queue/retention.h"
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

// The same build again, with the original's sealed secrets (copied, never opened here).
void rerun(ApiContext& ctx, const std::string& id, Request& request, Response& response) {
  IdempotentRequest idempotent(ctx, request);
  read_body(request, ctx.config.max_request_bytes);  // none is expected; an Idempotency-Key covers the path
  idempotent.compare("");
  if (const auto& first = idempotent.replay()) {
    mark_replayed(response);
    send_json(response, first->status, build_json(require_build(ctx, first->resource_id)));
    return;
  }
  const BuildRecord original = require_build(ctx, id);
  if (!is_final(original.state))
    throw ApiError(409, fmt::format("build '{}' is {}: only a build that has ended can be re-run", id, to_string(original.state)));
  std::error_code ec;
  if (!std::filesystem::is_directory(original.spec.context_dir, ec) || !context_dir_allowed(original.spec.context_dir, ctx.contexts))
    throw ApiError(409, fmt::format("build '{}' cannot be re-run: its context {} has been deleted (or is no longer below "
                                    "context_roots); submit it again with a new context",
                                    id, original.spec.context_dir));
  const auto created = ctx.store.insert_rerun(id, idempotent.record());
  if (!created) throw ApiError(404, fmt::format("no build '{}'", id));
  ctx.queue.notify();
  send_json(response, 201, build_json(require_build(ctx, *created)));
}

void remove(ApiContext& ctx, const std::string& id, Response& response) {
  const BuildRecord record = require_build(ctx, id);
  if (!is_final(record.state))
    throw ApiError(409, fmt::format("build '{}' is {}: cancel it first, only a build that has ended can be deleted", id,
                                    to_string(record.state)));
  if (!remove_finished_build(ctx.store, ctx.queue, id)) throw ApiError(404, fmt::format("no build '{}'", id));
  response.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_NO_CONTENT);
  response.setContentLength(0);
  response.send();
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
      IdempotentRequest idempotent(ctx, request);
      Json body = read_json_body(request, ctx.config.max_request_bytes);
      idempotent.compare(body.dump());  // the webhook too: it is part of the request
      if (const auto& first = idempotent.replay()) {
        mark_replayed(response);
        send_json(response, first->status, build_json(require_build(ctx, first->resource_id)));
        return;
      }
      const auto webhook = take_webhook(body, ctx.config.webhooks);
      const BuildSpec spec = parse_build(body, {.contexts = ctx.contexts, .max_timeout = ctx.config.build_timeout});
      const auto ids = ctx.store.insert("", {spec}, idempotent.record());
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
  if (parts.size() == 2 && request.getMethod() == "DELETE") {
    remove(ctx, id, response);
  } else if (parts.size() == 2) {
    require_method(request, "GET");
    Json build = build_json(require_build(ctx, id));
    ctx.webhooks.add_view(build, id);
    send_json(response, 200, build);
  } else if (parts.size() == 3 && parts[2] == "rerun") {
    require_method(request, "POST");
    rerun(ctx, id, request, response);
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
