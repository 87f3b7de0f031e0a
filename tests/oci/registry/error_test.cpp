#include "oci/registry/error.h"

#include <gtest/gtest.h>

#include "oci/registry/http.h"

namespace kiln::oci {

TEST(RegistryErrorBody, SummarisesDistributionErrors) {
  auto body = parse_error_body(
      R"({"errors":[{"code":"MANIFEST_BLOB_UNKNOWN","message":"blob unknown to registry","detail":"sha256:ab"},)"
      R"({"code":"DENIED","message":"requested access to the resource is denied","detail":{"k":1}}]})");
  EXPECT_EQ(body.codes, (std::vector<std::string>{"MANIFEST_BLOB_UNKNOWN", "DENIED"}));
  EXPECT_EQ(body.summary,
            R"(MANIFEST_BLOB_UNKNOWN: blob unknown to registry (sha256:ab); DENIED: requested access to the resource is denied)");
}

// Docker Hub's abuse limiter answers 429 in plain text.
TEST(RegistryErrorBody, ToleratesNonJson) {
  for (const char* body : {"", "Too Many Requests (HAP429).", "{}", R"({"errors":"x"})"}) {
    auto parsed = parse_error_body(body);
    EXPECT_TRUE(parsed.codes.empty()) << body;
    EXPECT_TRUE(parsed.summary.empty()) << body;
  }
}

TEST(RegistryError, PrefixKeepsClassification) {
  RegistryError e(503, {"UNAVAILABLE"}, false, "GET /v2/: busy");
  e.set_retry_after(std::chrono::seconds(3));
  RegistryError p = e.with_prefix("r.example: GET manifest a:b");
  EXPECT_STREQ(p.what(), "r.example: GET manifest a:b: GET /v2/: busy");
  EXPECT_TRUE(p.is_temporary());
  EXPECT_EQ(p.retry_after(), std::chrono::seconds(3));
  EXPECT_EQ(p.exit_class(), ExitClass::infra);
}

TEST(HttpUrls, ResolvesAndAppends) {
  EXPECT_EQ(resolve_url("http://h:5000/v2/a/blobs/uploads/", "/v2/a/blobs/uploads/u?_state=x%3D%3D"),
            "http://h:5000/v2/a/blobs/uploads/u?_state=x%3D%3D");
  EXPECT_EQ(resolve_url("http://h:5000/v2/", "https://s3.example/b?sig=1"), "https://s3.example/b?sig=1");
  EXPECT_EQ(append_query("http://h/u?_state=x", "digest", "sha256:ab"), "http://h/u?_state=x&digest=sha256%3Aab");
  EXPECT_EQ(append_query("http://h/u", "from", "team/app"), "http://h/u?from=team%2Fapp");
  EXPECT_EQ(url_origin("https://H.example/v2/"), "https://h.example:443");
  EXPECT_EQ(url_origin("http://127.0.0.1:5000/x"), "http://127.0.0.1:5000");
  EXPECT_EQ(url_for_display("http://h/u?_state=secret"), "http://h/u");
}

}  // namespace kiln::oci
