#pragma once
// The OpenAPI 3.1 description of kiln-server's API: server/api/openapi.json, compiled into the
// program at build time and served as is at GET /v1/openapi.json.
#include <string_view>

namespace kiln::server {

std::string_view openapi_document();

}  // namespace kiln::server
