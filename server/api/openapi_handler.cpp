// GET /v1/openapi.json: this API's description, byte for byte the document in the source tree.
#include "server/api/openapi_document.h"
#include "server/api/routes.h"

namespace kiln::server {

void get_openapi(ApiCall& call) {
  const std::string_view document = openapi_document();
  call.response.setStatus(Poco::Net::HTTPResponse::HTTP_OK);
  call.response.setContentType("application/json");
  call.response.setContentLength(static_cast<std::streamsize>(document.size()));
  call.response.send().write(document.data(), static_cast<std::streamsize>(document.size()));
}

}  // namespace kiln::server
