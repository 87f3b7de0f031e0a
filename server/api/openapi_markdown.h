#pragma once
// docs/server.md's API reference, rendered from the OpenAPI document (`kiln-server
// api-reference`; ci/update-readme.sh puts it between the api-reference markers), so the page
// cannot drift from the document the server serves.
#include <string>

namespace kiln::server {

/// Markdown: one table row per operation, then the query parameters and the response schemas.
std::string openapi_markdown();

}  // namespace kiln::server
