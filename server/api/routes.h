#pragma once
// The handlers of each resource, one file each; the router (api/router.cpp) has already
// authenticated and rate-limited the request. `parts` is the path split on '/', without "v1".
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include <string>
#include <vector>

#include "server/api/api_context.h"

namespace kiln::server {

using Request = Poco::Net::HTTPServerRequest;
using Response = Poco::Net::HTTPServerResponse;
using PathParts = std::vector<std::string>;

/// /v1/builds, /v1/builds/{id} (GET, DELETE), /v1/builds/{id}/cancel, /v1/builds/{id}/rerun, /v1/builds/{id}/report
void handle_builds(ApiContext& ctx, const PathParts& parts, Request& request, Response& response);
/// /v1/builds/{id}/log: Server-Sent Events
void handle_build_log(ApiContext& ctx, const std::string& id, Request& request, Response& response);
/// /v1/batches, /v1/batches/{id}, /v1/batches/{id}/cancel
void handle_batches(ApiContext& ctx, const PathParts& parts, Request& request, Response& response);
/// POST /v1/contexts (a tar), DELETE /v1/contexts/{id}
void handle_contexts(ApiContext& ctx, const PathParts& parts, Request& request, Response& response);
/// GET /v1/builds/{id}/context, authenticated by the build's context token (not an API token)
void handle_build_context(ApiContext& ctx, const std::string& id, Request& request, Response& response);
/// GET /metrics
void handle_metrics(ApiContext& ctx, Request& request, Response& response);

}  // namespace kiln::server
