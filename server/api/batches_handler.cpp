// /v1/batches: submit a list or a matrix of builds in one request, follow them together, cancel
// them together.
#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "server/store/random_id.h"
#include "server/api/build_submission.h"
#include "server/api/http_util.h"
#include "server/api/idempotency.h"
#include "server/api/routes.h"
#include "server/webhooks/webhook_field.h"

namespace kiln::server {
namespace {

using oci::Json;

Json batch_json(const WebhookService& webhooks, const std::string& id, const std::vector<BuildRecord>& builds) {
  Json list = Json::array();
  std::map<std::string, int> counts;
  for (const auto& b : builds) {
    list.push_back(build_json(b));
    ++counts[to_string(b.state)];
  }
  bool done = std::all_of(builds.begin(), builds.end(), [](const BuildRecord& b) { return is_final(b.state); });
  Json batch{{"id", id}, {"done", done}, {"counts", counts}, {"builds", list}};
  webhooks.add_view(batch, id);
  return batch;
}

}  // namespace

void handle_batches(ApiContext& ctx, const PathParts& parts, Request& request, Response& response) {
  if (parts.size() == 1 && request.getMethod() == "POST") {
    IdempotentRequest idempotent(ctx, request);
    Json body = read_json_body(request, ctx.config.max_request_bytes);
    idempotent.compare(body.dump());  // the webhook too: it is part of the request
    if (const auto& first = idempotent.replay()) {
      mark_replayed(response);
      send_json(response, first->status, batch_json(ctx.webhooks, first->resource_id, ctx.store.batch(first->resource_id)));
      return;
    }
    const auto webhook = take_webhook(body, ctx.config.webhooks);
    const auto specs = parse_batch(body, {.contexts = ctx.contexts, .max_timeout = ctx.config.build_timeout});
    const std::string id = new_id("batch-");
    ctx.store.insert(id, specs, idempotent.record());
    if (webhook) ctx.webhooks.subscribe("batch", id, *webhook);
    ctx.queue.notify();
    send_json(response, 201, batch_json(ctx.webhooks, id, ctx.store.batch(id)));
    return;
  }
  if (parts.size() == 3 && parts[2] == "cancel" && request.getMethod() == "POST") {
    // Every build of the batch that has not ended: a queued one is cancelled at once, a running
    // one is stopped (its process group killed, its pod deleted) and ends `cancelled`.
    if (!ctx.store.batch_exists(parts[1])) throw ApiError(404, fmt::format("no batch '{}'", parts[1]));
    for (const BuildRecord& b : ctx.store.batch(parts[1])) {
      if (is_final(b.state)) continue;
      if (b.state == BuildState::queued && ctx.store.cancel_queued(b.id)) continue;
      ctx.queue.cancel(b.id);  // running, or claimed by a worker since it was read
    }
    send_json(response, 202, batch_json(ctx.webhooks, parts[1], ctx.store.batch(parts[1])));
    return;
  }
  if (parts.size() == 2 && request.getMethod() == "GET") {
    if (!ctx.store.batch_exists(parts[1])) throw ApiError(404, fmt::format("no batch '{}'", parts[1]));
    send_json(response, 200, batch_json(ctx.webhooks, parts[1], ctx.store.batch(parts[1])));
    return;
  }
  throw ApiError(404, fmt::format("no such endpoint: {} {}", request.getMethod(), request.getURI()));
}

}  // namespace kiln::server
