// /v1/builds: submit, list, get, cancel, re-run, delete, and the verify report.
#include <Poco/StreamCopier.h>
#include <fmt/format.h>

#include <filesystem>
#include <fstream>

#include "server/api/build_submission.h"
#include "server/api/http_util.h"
#include "server/api/idempotency.h"
#include "server/api/listing.h"
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

// What the API answers for a build: its record and, when it has one, its webhook's delivery.
Json build_view(ApiContext& ctx, const std::string& id) {
  Json view = build_json(require_build(ctx, id));
  ctx.webhooks.add_view(view, id);
  return view;
}

}  // namespace

void submit_build(ApiCall& call) {
  ApiContext& ctx = call.ctx;
  IdempotentRequest idempotent(ctx, call.request);
  Json body = read_json_body(call.request, ctx.config.max_request_bytes);
  idempotent.compare(body.dump());  // the webhook too: it is part of the request
  if (const auto& first = idempotent.replay()) {
    mark_replayed(call.response);
    send_json(call.response, first->status, build_view(ctx, first->resource_id));
    return;
  }
  const auto webhook = take_webhook(body, ctx.config.webhooks);
  const BuildSpec spec = parse_build(body, {.contexts = ctx.contexts, .max_timeout = ctx.config.build_timeout});
  const auto ids = ctx.store.insert("", {spec}, {}, idempotent.record());
  if (webhook) ctx.webhooks.subscribe("build", ids.front(), *webhook);
  ctx.queue.notify();
  send_json(call.response, 201, build_view(ctx, ids.front()));
}

void list_builds(ApiCall& call) {
  const BuildListing listing = parse_build_listing(call.query, call.ctx.secrets);
  // One more than the page: whether another page follows.
  auto rows = call.ctx.store.list(listing.filter, listing.start, listing.limit + 1);
  Json next_cursor = nullptr;
  if (rows.size() > static_cast<std::size_t>(listing.limit)) {
    rows.resize(static_cast<std::size_t>(listing.limit));
    next_cursor = next_build_cursor(listing.filter, rows.back(), call.ctx.secrets);
  }
  Json builds = Json::array();
  for (const auto& r : rows) builds.push_back(build_json(r));
  send_json(call.response, 200, Json{{"builds", builds}, {"next_cursor", next_cursor}});
}

void get_build(ApiCall& call) { send_json(call.response, 200, build_view(call.ctx, call.path.at("id"))); }

void cancel_build(ApiCall& call) {
  ApiContext& ctx = call.ctx;
  const std::string& id = call.path.at("id");
  BuildRecord record = require_build(ctx, id);
  if (record.state == BuildState::queued && ctx.store.cancel_queued(id)) {
    send_json(call.response, 200, build_json(require_build(ctx, id)));
    return;
  }
  record = require_build(ctx, id);
  if (is_final(record.state))
    throw ApiError(409, fmt::format("build '{}' has already ended ({})", id, to_string(record.state)));
  ctx.queue.cancel(id);
  send_json(call.response, 202, build_json(record));
}

// The same build again, with the original's sealed secrets (copied, never opened here).
void rerun_build(ApiCall& call) {
  ApiContext& ctx = call.ctx;
  const std::string& id = call.path.at("id");
  IdempotentRequest idempotent(ctx, call.request);
  read_body(call.request, ctx.config.max_request_bytes);  // none is expected; an Idempotency-Key covers the path
  idempotent.compare("");
  if (const auto& first = idempotent.replay()) {
    mark_replayed(call.response);
    send_json(call.response, first->status, build_json(require_build(ctx, first->resource_id)));
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
  send_json(call.response, 201, build_json(require_build(ctx, *created)));
}

void delete_build(ApiCall& call) {
  ApiContext& ctx = call.ctx;
  const std::string& id = call.path.at("id");
  const BuildRecord record = require_build(ctx, id);
  if (!is_final(record.state))
    throw ApiError(409, fmt::format("build '{}' is {}: cancel it first, only a build that has ended can be deleted", id,
                                    to_string(record.state)));
  if (!remove_finished_build(ctx.store, ctx.queue, id)) throw ApiError(404, fmt::format("no build '{}'", id));
  call.response.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_NO_CONTENT);
  call.response.setContentLength(0);
  call.response.send();
}

void get_build_report(ApiCall& call) {
  const std::string& id = call.path.at("id");
  const BuildRecord record = require_build(call.ctx, id);
  std::ifstream in(call.ctx.queue.report_file(id), std::ios::binary);
  if (!record.has_report || !in) throw ApiError(404, fmt::format("build '{}' has no verify report", id));
  call.response.setStatus(Poco::Net::HTTPResponse::HTTP_OK);
  call.response.setContentType("application/xml");
  call.response.setChunkedTransferEncoding(true);
  Poco::StreamCopier::copyStream(in, call.response.send());
}

}  // namespace kiln::server
