// docs/server.md's API reference is the one the OpenAPI document renders, so the page cannot drift
// from what the server serves.
#include <gtest/gtest.h>

#include <fstream>

#include "server/api/openapi_markdown.h"

namespace kiln::server {

TEST(ServerApiReferenceDoc, DocsServerMdHoldsTheReferenceTheOpenApiDocumentRenders) {
  std::ifstream in(KILN_SOURCE_DIR "/docs/server.md");
  const std::string doc{std::istreambuf_iterator<char>(in), {}};
  const std::string start = "<!-- api-reference:start -->\n", end = "<!-- api-reference:end -->";
  const auto from = doc.find(start), to = doc.find(end);
  ASSERT_NE(from, std::string::npos) << "docs/server.md lacks the line " << start;
  ASSERT_NE(to, std::string::npos) << "docs/server.md lacks the line " << end;
  EXPECT_EQ(doc.substr(from + start.size(), to - from - start.size()), openapi_markdown())
      << "docs/server.md's API reference is not the one server/api/openapi.json renders; regenerate it with\n"
         "  cmake --build build && ci/update-readme.sh";
}

TEST(ServerApiReferenceDoc, TheReferenceListsEveryOperationWithItsQuery) {
  const std::string md = openapi_markdown();
  EXPECT_NE(md.find("| `GET /v1/builds` | List builds | `state`, `batch_id`, `label`, `limit`, `cursor` |"), std::string::npos) << md;
  EXPECT_NE(md.find("| `GET /healthz` | Liveness (no token) |"), std::string::npos) << md;
  EXPECT_NE(md.find("- `Build`: `id` (string), `batch_id`? (string)"), std::string::npos) << md;
}

}  // namespace kiln::server
