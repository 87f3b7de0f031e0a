// GET /metrics: Prometheus text format 0.0.4.
#include "server/api/http_util.h"
#include "server/api/routes.h"

namespace kiln::server {

void get_metrics(ApiCall& call) {
  ApiContext& ctx = call.ctx;
  Response& response = call.response;
  const std::string text = ctx.metrics.render(ctx.store.count_by_state(), ctx.queue.busy_workers(), ctx.config.concurrency);
  response.setStatus(Poco::Net::HTTPResponse::HTTP_OK);
  response.setContentType("text/plain; version=0.0.4");
  response.setContentLength(static_cast<std::streamsize>(text.size()));
  response.send() << text;
}

}  // namespace kiln::server
