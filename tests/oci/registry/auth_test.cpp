// The auth layer's handshake with a scripted inner transport: which requests go out, with
// which Authorization, and that a 401 leads to exactly one re-send.
#include "oci/registry/auth.h"

#include <gtest/gtest.h>

#include <deque>

#include "oci/registry/auth_basic.h"
#include "oci/registry/auth_bearer.h"
#include "oci/registry/error.h"
#include "oci/registry/scope.h"

namespace kiln::oci {
namespace {

struct ScriptedTransport final : Transport {
  std::deque<HttpResponse> replies;
  std::vector<HttpRequest> sent;
  HttpResponse send(const HttpRequest& request) override {
    sent.push_back(request);
    HttpResponse r = replies.front();
    replies.pop_front();
    return r;
  }
};

HttpResponse reply(int status, std::string body = {}, std::map<std::string, std::string> headers = {}) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

const char* const insufficient =
    R"(Bearer realm="https://auth.example/token",service="reg",scope="repository:base/img:pull",error="insufficient_scope")";

}  // namespace

TEST(BearerAuth, FetchesTokenPerScopeAndRefreshesOnceOn401) {
  ScriptedTransport inner;
  Credential cred;
  cred.username = "ci";
  cred.password = "ci-password-1";
  Challenge challenge{"bearer", {{"realm", "https://auth.example/token"}, {"service", "reg"}}};
  AuthTransport auth(inner, "https://r.example:443");
  auth.set_authenticator(std::make_unique<BearerAuthenticator>("r.example", challenge, cred, inner, false));

  inner.replies = {reply(200, R"({"token":"tok-one-1"})"),                              // token for push scope
                   reply(401, "", {{"www-authenticate", insufficient}}),                 // needs the mount source too
                   reply(200, R"({"access_token":"tok-two-2","expires_in":600})"),      // widened token
                   reply(201)};
  HttpRequest request = HttpRequest::to("POST", "https://r.example/v2/team/app/blobs/uploads/?mount=x&from=base/img");
  request.scopes = {scope::push("team/app")};
  EXPECT_EQ(auth.send(request).status, 201);

  ASSERT_EQ(inner.sent.size(), 4u);
  EXPECT_EQ(inner.sent[0].url,
            "https://auth.example/token?service=reg&scope=repository%3Ateam%2Fapp%3Apush%2Cpull");
  EXPECT_EQ(inner.sent[0].header("Authorization"), basic_authorization("ci", "ci-password-1"));
  EXPECT_EQ(inner.sent[1].header("Authorization"), "Bearer tok-one-1");
  // The registry's scope first (some registries read only the first), then ours.
  EXPECT_EQ(inner.sent[2].url,
            "https://auth.example/token?service=reg&scope=repository%3Abase%2Fimg%3Apull"
            "&scope=repository%3Ateam%2Fapp%3Apush%2Cpull");
  EXPECT_EQ(inner.sent[3].header("Authorization"), "Bearer tok-two-2");

  // A second 401 after the refresh is returned, not retried again.
  inner.sent.clear();
  inner.replies = {reply(200, R"({"token":"tok-3-333"})"), reply(401, "", {{"www-authenticate", insufficient}}),
                   reply(200, R"({"token":"tok-4-444"})"), reply(401, "", {{"www-authenticate", insufficient}})};
  HttpRequest again = HttpRequest::to("GET", "https://r.example/v2/base/img/blobs/sha256:00");
  again.scopes = {scope::pull("base/img")};
  EXPECT_EQ(auth.send(again).status, 401);
  ASSERT_EQ(inner.sent.size(), 4u);
  EXPECT_EQ(inner.sent[3].header("Authorization"), "Bearer tok-4-444");
}

// A registry whose first challenge named an https realm answers a later request with a 401
// naming a plain-http realm on another host: the Basic credential would go there in clear.
// Refused before any request leaves, with a final error naming the realm; the same for an
// insecure registry (http realms allowed) once an https realm was seen. A later https realm
// on another host is followed, as registries may move their token service.
TEST(BearerAuth, ALaterChallengeCannotDowngradeTheRealmToPlainHttp) {
  const char* const downgrade = R"(Bearer realm="http://evil.example/token",service="reg",error="invalid_token")";
  for (bool insecure_registry : {false, true}) {
    SCOPED_TRACE(insecure_registry ? "registry marked insecure" : "https registry");
    ScriptedTransport inner;
    Credential cred;
    cred.username = "ci";
    cred.password = "ci-password-7";
    Challenge challenge{"bearer", {{"realm", "https://auth.example/token"}, {"service", "reg"}}};
    AuthTransport auth(inner, "https://r.example:443");
    auth.set_authenticator(
        std::make_unique<BearerAuthenticator>("r.example", challenge, cred, inner, insecure_registry));
    inner.replies = {reply(200, R"({"token":"tok-one-1"})"), reply(401, "", {{"www-authenticate", downgrade}})};
    HttpRequest request = HttpRequest::to("GET", "https://r.example/v2/team/app/manifests/1");
    request.scopes = {scope::pull("team/app")};
    try {
      auth.send(request);
      ADD_FAILURE() << "the downgrade was followed";
    } catch (const RegistryError& e) {
      EXPECT_FALSE(e.is_temporary());
      EXPECT_NE(std::string(e.what()).find("refusing token realm 'http://evil.example/token'"), std::string::npos)
          << e.what();
    }
    ASSERT_EQ(inner.sent.size(), 2u) << "a request went to the new realm";
    for (const HttpRequest& sent : inner.sent) EXPECT_FALSE(sent.url.starts_with("http://evil.example"));
  }

  ScriptedTransport inner;
  Credential cred;
  cred.username = "ci";
  cred.password = "ci-password-8";
  Challenge challenge{"bearer", {{"realm", "https://auth.example/token"}, {"service", "reg"}}};
  AuthTransport auth(inner, "https://r.example:443");
  auth.set_authenticator(std::make_unique<BearerAuthenticator>("r.example", challenge, cred, inner, false));
  inner.replies = {reply(200, R"({"token":"tok-one-1"})"),
                   reply(401, "", {{"www-authenticate", R"(Bearer realm="https://auth2.example/token",service="reg")"}}),
                   reply(200, R"({"token":"tok-two-2"})"), reply(200)};
  EXPECT_EQ(auth.send(HttpRequest::to("GET", "https://r.example/v2/")).status, 200);
  ASSERT_EQ(inner.sent.size(), 4u);
  EXPECT_TRUE(inner.sent[2].url.starts_with("https://auth2.example/token?")) << inner.sent[2].url;
  EXPECT_EQ(inner.sent[2].header("Authorization"), basic_authorization("ci", "ci-password-8"));
}

// An insecure registry whose realm is http from the start keeps working (the user asked for
// plain http), including a later http realm.
TEST(BearerAuth, AnInsecureRegistryMayKeepAnHttpRealm) {
  ScriptedTransport inner;
  Challenge challenge{"bearer", {{"realm", "http://auth.example/token"}, {"service", "reg"}}};
  AuthTransport auth(inner, "http://r.example:80");
  auth.set_authenticator(std::make_unique<BearerAuthenticator>("r.example", challenge, Credential{}, inner, true));
  inner.replies = {reply(200, R"({"token":"tok-one-1"})"),
                   reply(401, "", {{"www-authenticate", R"(Bearer realm="http://auth2.example/token")"}}),
                   reply(200, R"({"token":"tok-two-2"})"), reply(200)};
  EXPECT_EQ(auth.send(HttpRequest::to("GET", "http://r.example/v2/")).status, 200);
  ASSERT_EQ(inner.sent.size(), 4u);
  EXPECT_TRUE(inner.sent[2].url.starts_with("http://auth2.example/token")) << inner.sent[2].url;
}

// Credentials stay with the registry: an upload Location on another host gets none.
TEST(BasicAuth, OnlyForTheRegistryOrigin) {
  ScriptedTransport inner;
  Credential cred;
  cred.username = "u";
  cred.password = "basic-pw-1";
  AuthTransport auth(inner, "https://r.example:443");
  auth.set_authenticator(std::make_unique<BasicAuthenticator>(cred));
  inner.replies = {reply(200), reply(200), reply(401, "", {{"www-authenticate", R"(Basic realm="r")"}})};
  auth.send(HttpRequest::to("GET", "https://r.example/v2/"));
  auth.send(HttpRequest::to("PUT", "https://storage.example/upload?sig=1"));
  EXPECT_EQ(auth.send(HttpRequest::to("GET", "https://r.example:443/v2/")).status, 401);  // no second try
  ASSERT_EQ(inner.sent.size(), 3u);
  EXPECT_EQ(inner.sent[0].header("Authorization"), basic_authorization("u", "basic-pw-1"));
  EXPECT_FALSE(inner.sent[1].header("Authorization"));
  EXPECT_TRUE(inner.sent[2].header("Authorization"));
}

}  // namespace kiln::oci
