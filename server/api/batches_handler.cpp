// /v1/batches: submit a list or a matrix of builds in one request, list them, follow them
// together, cancel them together.
#include <fmt/format.h>

#include <map>

#include "server/api/build_submission.h"
#include "server/api/http_util.h"
#include "server/api/idempotency.h"
#include "server/api/listing.h"
#include "server/api/routes.h"
#include "server/store/random_id.h"
#include "server/webhooks/webhook_field.h"

namespace kiln::server {
namespace {

using oci::Json;

// What a batch is as a whole, from the number of its builds in each state.
Json batch_summary(const BatchRecord& batch, const std::map<BuildState, int>& by_state) {
  std::map<std::string, int> counts;
  int total = 0;
  bool done = true;
  for (const auto& [state, n] : by_state) {
    counts[to_string(state)] = n;
    total += n;
    done &= is_final(state) || n == 0;
  }
  return Json{{"id", batch.id}, {"created_ms", batch.created_ms}, {"labels", batch.labels}, {"done", done},
              {"counts", counts}, {"build_count", total}};
}

// The summary, every build in full, and the batch's webhook.
Json batch_json(const WebhookService& webhooks, const BatchRecord& batch, const std::vector<BuildRecord>& builds) {
  std::map<BuildState, int> by_state;
  for (const auto& b : builds) ++by_state[b.state];
  Json j = batch_summary(batch, by_state);
  Json list = Json::array();
  for (const auto& b : builds) list.push_back(build_json(b));
  j["builds"] = list;
  webhooks.add_view(j, batch.id);
  return j;
}

BatchRecord require_batch(ApiContext& ctx, const std::string& id) {
  auto batch = ctx.store.get_batch(id);
  if (!batch) throw ApiError(404, fmt::format("no batch '{}'", id));
  return *batch;
}

}  // namespace

void submit_batch(ApiCall& call) {
  ApiContext& ctx = call.ctx;
  IdempotentRequest idempotent(ctx, call.request);
  Json body = read_json_body(call.request, ctx.config.max_request_bytes);
  idempotent.compare(body.dump());  // the webhook too: it is part of the request
  if (const auto& first = idempotent.replay()) {
    mark_replayed(call.response);
    const BatchRecord earlier = require_batch(ctx, first->resource_id);
    send_json(call.response, first->status, batch_json(ctx.webhooks, earlier, ctx.store.batch(earlier.id)));
    return;
  }
  const auto webhook = take_webhook(body, ctx.config.webhooks);
  const BatchSubmission batch = parse_batch(body, {.contexts = ctx.contexts, .max_timeout = ctx.config.build_timeout});
  const std::string id = new_id("batch-");
  ctx.store.insert(id, batch.builds, batch.labels, idempotent.record());
  if (webhook) ctx.webhooks.subscribe("batch", id, *webhook);
  ctx.queue.notify();
  send_json(call.response, 201, batch_json(ctx.webhooks, require_batch(ctx, id), ctx.store.batch(id)));
}

void list_batches(ApiCall& call) {
  ApiContext& ctx = call.ctx;
  const BatchListing listing = parse_batch_listing(call.query, ctx.secrets);
  auto rows = ctx.store.list_batches(listing.filter, listing.start, listing.limit + 1);
  Json next_cursor = nullptr;
  if (rows.size() > static_cast<std::size_t>(listing.limit)) {
    rows.resize(static_cast<std::size_t>(listing.limit));
    next_cursor = next_batch_cursor(listing.filter, rows.back(), ctx.secrets);
  }
  Json batches = Json::array();
  for (const auto& batch : rows) batches.push_back(batch_summary(batch, ctx.store.count_by_state(batch.id)));
  send_json(call.response, 200, Json{{"batches", batches}, {"next_cursor", next_cursor}});
}

void get_batch(ApiCall& call) {
  const BatchRecord batch = require_batch(call.ctx, call.path.at("id"));
  send_json(call.response, 200, batch_json(call.ctx.webhooks, batch, call.ctx.store.batch(batch.id)));
}

void cancel_batch(ApiCall& call) {
  ApiContext& ctx = call.ctx;
  const BatchRecord batch = require_batch(ctx, call.path.at("id"));
  // Every build of the batch that has not ended: a queued one is cancelled at once, a running
  // one is stopped (its process group killed, its pod deleted) and ends `cancelled`.
  for (const BuildRecord& b : ctx.store.batch(batch.id)) {
    if (is_final(b.state)) continue;
    if (b.state == BuildState::queued && ctx.store.cancel_queued(b.id)) continue;
    ctx.queue.cancel(b.id);  // running, or claimed by a worker since it was read
  }
  send_json(call.response, 202, batch_json(ctx.webhooks, batch, ctx.store.batch(batch.id)));
}

}  // namespace kiln::server
