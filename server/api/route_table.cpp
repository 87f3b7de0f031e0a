#include "server/api/routes.h"

namespace kiln::server {

const std::vector<Route>& api_routes() {
  // Query parameters of the listings (api/listing.h).
  static const std::vector<QueryParamSpec> kBuildFilters = {{"state"}, {"batch_id"}, {"label", true}, {"limit"}, {"cursor"}};
  static const std::vector<QueryParamSpec> kBatchFilters = {{"done"}, {"label", true}, {"limit"}, {"cursor"}};
  static const std::vector<Route> routes = {
      {"GET", "/healthz", Access::open, {}, get_health},
      {"GET", "/metrics", Access::api_token, {}, get_metrics},
      {"GET", "/v1/openapi.json", Access::api_token, {}, get_openapi},
      {"POST", "/v1/builds", Access::api_token, {}, submit_build},
      {"GET", "/v1/builds", Access::api_token, kBuildFilters, list_builds},
      {"GET", "/v1/builds/{id}", Access::api_token, {}, get_build},
      {"DELETE", "/v1/builds/{id}", Access::api_token, {}, delete_build},
      {"POST", "/v1/builds/{id}/cancel", Access::api_token, {}, cancel_build},
      {"POST", "/v1/builds/{id}/rerun", Access::api_token, {}, rerun_build},
      {"GET", "/v1/builds/{id}/report", Access::api_token, {}, get_build_report},
      // format=text|sse; without it, Accept decides.
      {"GET", "/v1/builds/{id}/log", Access::api_token, {{"format"}}, stream_build_log},
      // The context of a running build is fetched by the engine's pod with the build's own token.
      {"GET", "/v1/builds/{id}/context", Access::context_token, {}, get_build_context},
      {"POST", "/v1/batches", Access::api_token, {}, submit_batch},
      {"GET", "/v1/batches", Access::api_token, kBatchFilters, list_batches},
      {"GET", "/v1/batches/{id}", Access::api_token, {}, get_batch},
      {"POST", "/v1/batches/{id}/cancel", Access::api_token, {}, cancel_batch},
      {"POST", "/v1/contexts", Access::api_token, {}, upload_context},
      {"DELETE", "/v1/contexts/{id}", Access::api_token, {}, delete_context},
  };
  return routes;
}

}  // namespace kiln::server
