// The API's refusals, against a real kiln-server: authentication, size limit, malformed and
// unknown input, rate limit; and the endpoints that need no build.
#include <gtest/gtest.h>

#include "tests/server/server_fixture.h"
#include "tests/support/tools.h"

namespace kiln::testing {
namespace {

class ServerApi : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir("kiln-server-api");
    std::filesystem::create_directories(dir_->path() / "context");
    server_ = new ServerProcess(dir_->path() / "data", {.context_roots = {dir_->path() / "context"}, .extra = {{"max_request_bytes", "65536"}}});
  }
  static void TearDownTestSuite() {
    delete server_;
    delete dir_;
  }
  std::string context() const { return (dir_->path() / "context").string(); }

  static TempDir* dir_;
  static ServerProcess* server_;
};
TempDir* ServerApi::dir_ = nullptr;
ServerProcess* ServerApi::server_ = nullptr;

}  // namespace

TEST_F(ServerApi, HealthzNeedsNoToken) {
  const HttpReply r = server_->request("GET", "/healthz", "", "");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.json()["status"], "ok");
}

TEST_F(ServerApi, EveryOtherEndpointRefusesAMissingOrWrongToken) {
  for (const char* path : {"/v1/builds", "/metrics", "/v1/batches/batch-00", "/v1/builds/b-00/log"}) {
    const HttpReply none = server_->request("GET", path, "", "");
    EXPECT_EQ(none.status, 401) << path;
    EXPECT_EQ(none.headers.at("WWW-Authenticate"), "Bearer realm=\"kiln-server\"") << path;
    EXPECT_EQ(server_->request("GET", path, "", "wrong-token").status, 401) << path;
  }
  // The token's hash is accepted nowhere: only the token itself.
  EXPECT_EQ(server_->request("GET", "/v1/builds", "", token_hash()).status, 401);
  EXPECT_EQ(server_->request("GET", "/v1/builds").status, 200);
}

TEST_F(ServerApi, OversizedBodyGets413) {
  const std::string body(100 * 1024, 'x');
  const HttpReply r = server_->request("POST", "/v1/builds", body);
  EXPECT_EQ(r.status, 413);
  EXPECT_NE(r.json()["error"].get<std::string>().find("max_request_bytes"), std::string::npos) << r.body;
}

TEST_F(ServerApi, MalformedJsonGets400WithTheReason) {
  const HttpReply r = server_->request("POST", "/v1/builds", "{\"settings\": {\"repo\": ");
  EXPECT_EQ(r.status, 400);
  const std::string error = r.json()["error"];
  EXPECT_EQ(error.rfind("malformed JSON: ", 0), 0u) << error;
  EXPECT_NE(error.find("unexpected end of input"), std::string::npos) << error;
}

TEST_F(ServerApi, UnknownSettingGets400NamingItAndTheClosestName) {
  const Json body = {{"settings", {{"repo", "127.0.0.1:1/x"}, {"pasword", "x"}}}, {"context", context()}};
  const HttpReply r = server_->request("POST", "/v1/builds", body.dump());
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.json()["error"], "settings.pasword: unknown setting (did you mean password?)");

  const Json verify = {{"settings", {{"repo", "127.0.0.1:1/x"}}}, {"context", context()}, {"verify", {{"drivr", "static"}}}};
  const HttpReply v = server_->request("POST", "/v1/builds", verify.dump());
  EXPECT_EQ(v.status, 400);
  EXPECT_EQ(v.json()["error"], "verify.drivr: unknown setting (did you mean driver?)");
}

TEST_F(ServerApi, ServerOwnedSettingsAndBadContextsAreRefused) {
  const Json digest = {{"settings", {{"digest_file", "/tmp/x"}}}, {"context", context()}};
  EXPECT_EQ(server_->request("POST", "/v1/builds", digest.dump()).json()["error"],
            "settings.digest_file: set by kiln-server, not by a request");
  const Json missing = {{"settings", {{"repo", "127.0.0.1:1/x"}}}, {"context", context() + "/missing"}};
  EXPECT_EQ(server_->request("POST", "/v1/builds", missing.dump()).json()["error"],
            "context: '" + context() + "/missing' is not a directory on the server");
  const Json relative = {{"settings", {{"repo", "127.0.0.1:1/x"}}}, {"context", "../etc"}};
  EXPECT_EQ(server_->request("POST", "/v1/builds", relative.dump()).json()["error"],
            "context: '../etc' must be an absolute path");
}

TEST_F(ServerApi, UnknownBuildIs404) {
  const HttpReply r = server_->request("GET", "/v1/builds/b-0000");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.json()["error"], "no build 'b-0000'");
}

TEST_F(ServerApi, MetricsArePrometheusText) {
  const HttpReply r = server_->request("GET", "/metrics");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.headers.at("Content-Type"), "text/plain; version=0.0.4");
  for (const char* needle : {"\nkiln_server_queue_depth ", "\nkiln_server_builds{state=\"succeeded\"} ",
                             "# TYPE kiln_server_build_duration_seconds histogram\n",
                             "\nkiln_server_build_duration_seconds_bucket{le=\"+Inf\"} "})
    EXPECT_NE(r.body.find(needle), std::string::npos) << needle << "\n" << r.body;
}

TEST_F(ServerApi, ContextUploadIsUnpackedAndUsableByItsId) {
  TempDir src("kiln-server-ctx");
  std::ofstream(src.path() / "Dockerfile") << "FROM scratch\n";
  const std::string tar = run_process({"tar", "-C", src.path().string(), "-cf", "-", "Dockerfile"}).out;
  const HttpReply up = server_->request("POST", "/v1/contexts", tar, kToken, "application/x-tar");
  ASSERT_EQ(up.status, 201) << up.body;
  const std::string id = up.json()["id"];
  EXPECT_TRUE(std::filesystem::exists(dir_->path() / "data/contexts" / id / "Dockerfile"));
  // A tar that climbs out of its directory is refused.
  const std::string evil = run_process({"tar", "-C", src.path().string(), "-cf", "-", "--transform", "s,^,../,", "Dockerfile"}).out;
  EXPECT_EQ(server_->request("POST", "/v1/contexts", evil, kToken, "application/x-tar").status, 400);
  EXPECT_FALSE(std::filesystem::exists(dir_->path() / "data/contexts/Dockerfile"));
}

TEST(ServerRateLimit, A429CarriesRetryAfter) {
  TempDir dir("kiln-server-rate");
  ServerProcess server(dir.path(), {.extra = {{"rate_limit", "0.5"}, {"rate_burst", "3"}}});
  for (int i = 0; i < 3; ++i) EXPECT_EQ(server.request("GET", "/v1/builds").status, 200) << i;
  const HttpReply limited = server.request("GET", "/v1/builds");
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(limited.headers.at("Retry-After"), "2");
  // Unauthenticated requests do not spend a token's budget, and /healthz is never limited.
  EXPECT_EQ(server.request("GET", "/healthz", "", "").status, 200);
}

TEST(ServerTls, ServesHttpsWithTheGivenCertificate) {
  TempDir dir("kiln-server-tls");
  const auto cert = dir.path() / "tls.crt", key = dir.path() / "tls.key";
  run_ok({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
          "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key.string(), "-out", cert.string()});
  ServerProcess server(dir.path() / "data", {.extra = {{"tls_cert", cert.string()}, {"tls_key", key.string()}}});
  EXPECT_NE(server.output().find("listening on https://127.0.0.1:"), std::string::npos) << server.output();
  const std::string url = "https://127.0.0.1:" + std::to_string(server.port());
  // curl checks the certificate against the one given to the server.
  EXPECT_EQ(run_ok({"curl", "-sS", "--cacert", cert.string(), url + "/healthz"}), "{\n  \"status\": \"ok\"\n}\n");
  const ProcessResult plain = run_process({"curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}",
                                           "http://127.0.0.1:" + std::to_string(server.port()) + "/healthz"});
  EXPECT_NE(plain.out, "200") << "plain HTTP must not be served on the TLS port";
  const ProcessResult listed = run_process({"curl", "-sS", "--cacert", cert.string(), "-H", std::string("Authorization: Bearer ") + kToken,
                                            url + "/v1/builds"});
  EXPECT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_NE(listed.out.find("\"builds\""), std::string::npos) << listed.out;
}

}  // namespace kiln::testing
