#pragma once
// Every route of kiln-server's HTTP API as data: method, path template, who may call it, the
// query parameters it takes, and its handler. The router dispatches from this table alone, and a
// test compares it with the OpenAPI document (server/api/openapi.json) in both directions, so no
// route exists undocumented and no documented route is missing.
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "server/api/api_context.h"
#include "server/api/query_params.h"

namespace kiln::server {

using Request = Poco::Net::HTTPServerRequest;
using Response = Poco::Net::HTTPServerResponse;

enum class Access {
  open,           ///< no token (/healthz)
  context_token,  ///< the build's own context token, checked by the handler, not an API token
  api_token,      ///< a bearer token of token_sha256, then the rate limit
};

/// What a handler gets: the request, its path parameters by name, and its checked query.
struct ApiCall {
  ApiContext& ctx;
  Request& request;
  Response& response;
  std::map<std::string, std::string> path;  ///< "/v1/builds/{id}" -> {"id": "b-…"}
  QueryParams query;
};

using RouteHandler = void (*)(ApiCall& call);

struct Route {
  std::string_view method;
  std::string_view path;  ///< "/v1/builds/{id}/cancel"; a {name} segment matches any one segment
  Access access;
  std::vector<QueryParamSpec> query;  ///< every query parameter it takes; any other is a 400
  RouteHandler handler;
};

/// The routes, matched in this order.
const std::vector<Route>& api_routes();

// The handlers, one file per resource.
void get_health(ApiCall& call);
void get_metrics(ApiCall& call);
void get_openapi(ApiCall& call);
void submit_build(ApiCall& call);
void list_builds(ApiCall& call);
void get_build(ApiCall& call);
void delete_build(ApiCall& call);  ///< only a build that has ended
void cancel_build(ApiCall& call);
void rerun_build(ApiCall& call);   ///< the same build again, as a new build
void get_build_report(ApiCall& call);
void stream_build_log(ApiCall& call);  ///< Server-Sent Events, or the log as text (?format=text)
void get_build_context(ApiCall& call);
void submit_batch(ApiCall& call);
void list_batches(ApiCall& call);
void get_batch(ApiCall& call);
void cancel_batch(ApiCall& call);
void upload_context(ApiCall& call);
void delete_context(ApiCall& call);  ///< an upload no queued or running build uses

}  // namespace kiln::server
