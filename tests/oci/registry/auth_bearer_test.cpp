#include "oci/registry/auth_bearer.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "core/log.h"

namespace kiln::oci {

using namespace std::chrono;

TEST(BearerToken, ReadsTokenOrAccessTokenAndExpiry) {
  const auto now = steady_clock::now();
  struct Row {
    const char* body;
    const char* token;
    seconds ttl;
  };
  const Row rows[] = {
      {R"({"token":"tok-aaaa","expires_in":300})", "tok-aaaa", seconds(300)},
      {R"({"access_token":"acc-bbbb"})", "acc-bbbb", seconds(60)},  // spec default
      {R"({"token":"","access_token":"acc-cccc","expires_in":0})", "acc-cccc", seconds(60)},
      {R"({"token":"tok-dddd","expires_in":"soon","issued_at":"2024-01-01T00:00:00Z"})", "tok-dddd", seconds(60)},
  };
  for (const auto& row : rows) {
    BearerToken t = parse_token_response(row.body, now, "r.example");
    EXPECT_EQ(t.token, row.token) << row.body;
    EXPECT_EQ(t.expires, now + row.ttl) << row.body;
  }
}

TEST(BearerToken, TokensBecomeSecrets) {
  parse_token_response(R"({"token":"secret-token-123"})", steady_clock::now(), "r.example");
  EXPECT_EQ(log::redact("Bearer secret-token-123"), "Bearer ****");
}

TEST(BearerToken, RejectsResponsesWithoutToken) {
  for (const char* body : {"", "not json", "[]", R"({"expires_in":60})", R"({"token":42})"}) {
    try {
      parse_token_response(body, steady_clock::now(), "r.example");
      ADD_FAILURE() << body;
    } catch (const Error& e) {
      EXPECT_EQ(e.exit_class(), ExitClass::infra);
      EXPECT_NE(std::string(e.what()).find("r.example"), std::string::npos) << e.what();
    }
  }
}

// The password would travel in clear to an http realm; only insecure registries may use one.
TEST(BearerAuthenticator, RefusesPlainHttpRealm) {
  struct NoTransport final : Transport {
    HttpResponse send(const HttpRequest&) override { throw std::logic_error("no network in this test"); }
  } transport;
  Challenge c{"bearer", {{"realm", "http://auth.example/token"}, {"service", "s"}}};
  EXPECT_THROW(BearerAuthenticator("r.example", c, Credential{}, transport, false), Error);
  EXPECT_NO_THROW(BearerAuthenticator("r.example", c, Credential{}, transport, true));
  // A registry token is used as is, without contacting any realm.
  Credential registry_token;
  registry_token.registry_token = "rt-123456";
  BearerAuthenticator direct("r.example", c, registry_token, transport, false);
  EXPECT_EQ(direct.authorization({"repository:a:pull"}), "Bearer rt-123456");
}

}  // namespace kiln::oci
