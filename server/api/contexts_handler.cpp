// POST /v1/contexts: a build context uploaded as a tar, unpacked under the data dir; builds
// name it by the returned id. GET /v1/builds/{id}/context: the context of a running build as a
// tar, for an engine that runs builds elsewhere, with that build's own context token.
#include <fmt/format.h>

#include "server/api/context_archive.h"
#include "server/api/http_util.h"
#include "server/api/routes.h"
#include "server/http/connection_watchdog.h"
#include "server/store/private_directory.h"
#include "server/store/random_id.h"

namespace kiln::server {

namespace {

// An id as new_id("ctx-") makes it, so the path never leaves the uploads directory.
bool well_formed_context_id(const std::string& id) {
  return id.size() == 20 && id.rfind("ctx-", 0) == 0 && id.find_first_not_of("0123456789abcdef", 4) == std::string::npos;
}

}  // namespace

void delete_context(ApiCall& call) {
  ApiContext& ctx = call.ctx;
  const std::string& id = call.path.at("id");
  std::error_code ec;
  const auto dir = ctx.contexts.uploads / id;
  if (!well_formed_context_id(id) || !std::filesystem::is_directory(dir, ec))
    throw ApiError(404, fmt::format("no uploaded context '{}'", id));
  if (const int users = ctx.store.active_builds_using(dir.string()); users > 0)
    throw ApiError(409, fmt::format("context '{}' is used by {} queued or running build(s); delete it once they have ended", id, users));
  std::filesystem::remove_all(dir, ec);
  if (ec) throw ApiError(500, fmt::format("cannot remove context '{}': {}", id, ec.message()));
  call.response.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_NO_CONTENT);
  call.response.setContentLength(0);
  call.response.send();
}

void upload_context(ApiCall& call) {
  ApiContext& ctx = call.ctx;
  Request& request = call.request;
  if (request.has("Idempotency-Key"))
    throw ApiError(400, "Idempotency-Key: not taken by POST /v1/contexts (an upload makes no build; repeating it is harmless)");
  const std::string id = new_id("ctx-");
  const auto dir = ctx.contexts.uploads / id;
  create_private_directory(dir);
  // Streamed from the socket into libarchive: the body is never held in memory whole.
  std::int64_t received = 0;
  const ReadChunk read = [&](char* buffer, std::size_t size) {
    const std::size_t n = read_body_chunk(request, buffer, size, ctx.config.max_request_bytes, received);
    received += static_cast<std::int64_t>(n);
    return n;
  };
  try {
    unpack_context(read, dir, {.max_bytes = ctx.config.max_context_bytes, .max_entries = ctx.config.max_context_entries});
    request_phase::body_done();
  } catch (const ApiError&) {
    std::filesystem::remove_all(dir);
    throw;
  } catch (const std::exception& e) {
    std::filesystem::remove_all(dir);
    throw ApiError(400, e.what());
  }
  send_json(call.response, 201, oci::Json{{"id", id}, {"bytes", received}});
}

void get_build_context(ApiCall& call) {
  ApiContext& ctx = call.ctx;
  Response& response = call.response;
  const std::string& id = call.path.at("id");
  const std::string header = call.request.get("Authorization", "");
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
