// POST /v1/contexts: a build context uploaded as a tar, unpacked under the data dir; builds
// name it by the returned id. GET /v1/builds/{id}/context: the context of a running build as a
// tar, for an engine that runs builds elsewhere, with that build's own context token.
#include <fmt/format.h>

#include "server/api/context_archive.h"
#include "server/api/http_util.h"
#include "server/api/routes.h"
#include "server/store/random_id.h"

namespace kiln::server {

void handle_contexts(ApiContext& ctx, const PathParts& parts, Request& request, Response& response) {
  if (parts.size() != 1 || request.getMethod() != "POST")
    throw ApiError(404, fmt::format("no such endpoint: {} {}", request.getMethod(), request.getURI()));
  const std::string tar = read_body(request, ctx.config.max_request_bytes);
  const std::string id = new_id("ctx-");
  const auto dir = ctx.contexts.uploads / id;
  std::filesystem::create_directories(dir);
  try {
    unpack_context(tar, dir);
  } catch (const std::exception& e) {
    std::filesystem::remove_all(dir);
    throw ApiError(400, e.what());
  }
  send_json(response, 201, oci::Json{{"id", id}, {"bytes", tar.size()}});
}

void handle_build_context(ApiContext& ctx, const std::string& id, Request& request, Response& response) {
  if (request.getMethod() != "GET") throw ApiError(405, "use GET");
  const std::string header = request.get("Authorization", "");
  const std::string token = header.rfind("Bearer ", 0) == 0 ? header.substr(7) : "";
  if (token.empty() || !ctx.queue.context_token_valid(id, token)) {
    response.set("WWW-Authenticate", "Bearer realm=\"kiln-server build context\"");
    throw ApiError(401, "missing or wrong context token (valid only for a running build)");
  }
  const auto record = ctx.store.get(id);
  if (!record) throw ApiError(404, fmt::format("no build '{}'", id));
  response.setStatus(Poco::Net::HTTPResponse::HTTP_OK);
  response.setContentType("application/x-tar");
  response.setChunkedTransferEncoding(true);
  pack_context(record->spec.context_dir, response.send());
}

}  // namespace kiln::server
