// kiln-server's OpenAPI document against the real server: it is served byte for byte, it is valid
// OpenAPI 3.1 (checked by an OpenAPI validator, tests/server/openapi/check.py), and real responses
// of every route (successes and refusals) validate against the schemas it gives for them, so a
// field added to a response without documenting it fails here.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>

#include "server/api/routes.h"
#include "tests/server/server_fixture.h"
#include "tests/support/tools.h"

namespace kiln::testing {
namespace {

std::string source_document() {
  std::ifstream in(KILN_SOURCE_DIR "/server/api/openapi.json", std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

// Real responses, each with the route (template) it came from.
class ResponseSamples {
 public:
  explicit ResponseSamples(const ServerProcess& server) : server_(server) {}

  HttpReply take(const std::string& method, const std::string& route, const std::string& url, const std::string& body = "",
                 const std::string& token = kToken, const std::string& content_type = "application/json") {
    HttpReply r = server_.request(method, url, body, token, content_type);
    add(method, route, r);
    return r;
  }
  /// The same, with request headers (Idempotency-Key, Last-Event-ID, Accept).
  HttpReply take_with(const std::string& method, const std::string& route, const std::string& url,
                      const std::map<std::string, std::string>& headers, const std::string& body = "") {
    HttpReply r = server_.request_with(method, url, headers, body);
    add(method, route, r);
    return r;
  }
  void add(const std::string& method, const std::string& route, const HttpReply& r, const std::string& schema = "") {
    Json sample = {{"method", method}, {"path", route}, {"status", r.status}, {"body", r.body},
                   {"content_type", r.headers.count("Content-Type") ? r.headers.at("Content-Type") : ""}};
    if (!schema.empty()) sample["schema"] = schema;
    samples_.push_back(sample);
  }
  const Json& all() const { return samples_; }

 private:
  const ServerProcess& server_;
  Json samples_ = Json::array();
};

std::string upload(ResponseSamples& samples, const std::filesystem::path& dir) {
  std::ofstream(dir / "Dockerfile") << "FROM scratch\nCOPY Dockerfile /\n";
  const std::string tar = run_process({"tar", "-C", dir.string(), "-cf", "-", "Dockerfile"}).out;
  const HttpReply r = samples.take("POST", "/v1/contexts", "/v1/contexts", tar, kToken, "application/x-tar");
  EXPECT_EQ(r.status, 201) << r.body;
  return r.json().value("id", "");
}

}  // namespace

TEST(ServerOpenApi, ServesTheDocumentOfTheSourceTreeAsIs) {
  TempDir dir("kiln-server-openapi-doc");
  ServerProcess server(dir.path());
  const HttpReply r = server.request("GET", "/v1/openapi.json");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.headers.at("Content-Type"), "application/json");
  EXPECT_EQ(r.body, source_document());
  EXPECT_EQ(server.request("GET", "/v1/openapi.json", "", "").status, 401);
}

TEST(ServerOpenApi, TheDocumentIsValidAndRealResponsesOfEveryRouteMatchIt) {
  TempDir dir("kiln-server-openapi");
  std::filesystem::create_directories(dir.path() / "src");
  ServerProcess server(dir.path() / "data", {.concurrency = 1, .extra = {{"max_request_bytes", "65536"}}});
  ResponseSamples s(server);

  s.take("GET", "/healthz", "/healthz", "", "");
  s.take("GET", "/metrics", "/metrics");
  s.take("GET", "/v1/openapi.json", "/v1/openapi.json");
  const std::string context = upload(s, dir.path() / "src");
  s.take("POST", "/v1/contexts", "/v1/contexts", "not a tar", kToken, "application/x-tar");

  // A build with settings of every type and a secret one; its registry is closed, so it fails soon.
  const Json build = {{"context", context},
                      {"settings", {{"repo", "127.0.0.1:1/app"}, {"tags", Json::array({"v1", "v2"})}, {"insecure", true},
                                    {"password", "hunter2-secret"}, {"compression", "gzip"}}},
                      {"labels", {{"team", "core"}, {"app.kubernetes.io/name", "app"}}},
                      {"verify", {{"driver", "static"}}}};
  const HttpReply created = s.take("POST", "/v1/builds", "/v1/builds", build.dump());
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id = created.json()["id"];
  s.take("POST", "/v1/builds", "/v1/builds", Json{{"context", context}, {"settings", {{"pasword", "x"}}}}.dump());
  s.take("POST", "/v1/builds", "/v1/builds", std::string(70000, 'x'));
  s.take("POST", "/v1/builds", "/v1/builds", build.dump(), "");
  // Idempotency-Key: the repeat is the first answer again; the key with another body is a 422.
  const Json keyed = {{"context", context}, {"settings", {{"repo", "127.0.0.1:1/keyed"}}}};
  const HttpReply first = s.take_with("POST", "/v1/builds", "/v1/builds", {{"Idempotency-Key", "openapi-build-1"}}, keyed.dump());
  ASSERT_EQ(first.status, 201) << first.body;
  const HttpReply again = s.take_with("POST", "/v1/builds", "/v1/builds", {{"Idempotency-Key", "openapi-build-1"}}, keyed.dump());
  EXPECT_EQ(again.status, 201) << again.body;
  EXPECT_EQ(again.json()["id"], first.json()["id"]);
  EXPECT_EQ(again.headers.count("Idempotent-Replayed") ? again.headers.at("Idempotent-Replayed") : "", "true");
  EXPECT_EQ(s.take_with("POST", "/v1/builds", "/v1/builds", {{"Idempotency-Key", "openapi-build-1"}}, build.dump()).status, 422);
  EXPECT_EQ(s.take_with("POST", "/v1/builds", "/v1/builds", {{"Idempotency-Key", "not a key!"}}, keyed.dump()).status, 400);
  s.take("GET", "/v1/builds", "/v1/builds");
  s.take("GET", "/v1/builds", "/v1/builds?label=team=core&limit=1");
  s.take("GET", "/v1/builds", "/v1/builds?state=done");
  s.take("GET", "/v1/builds/{id}", "/v1/builds/" + id);
  s.take("GET", "/v1/builds/{id}", "/v1/builds/b-missing");

  const HttpReply batch = s.take("POST", "/v1/batches", "/v1/batches",
                                 Json{{"context", context}, {"labels", {{"release", "r1"}}},
                                      {"builds", Json::array({Json{{"settings", {{"repo", "127.0.0.1:1/a"}}}},
                                                              Json{{"settings", {{"repo", "127.0.0.1:1/b"}}}}})}}
                                     .dump());
  ASSERT_EQ(batch.status, 201) << batch.body;
  const std::string batch_id = batch.json()["id"];
  const Json keyed_batch = {{"context", context}, {"builds", Json::array({Json{{"settings", {{"repo", "127.0.0.1:1/c"}}}}})}};
  const HttpReply keyed_first =
      s.take_with("POST", "/v1/batches", "/v1/batches", {{"Idempotency-Key", "openapi-batch-1"}}, keyed_batch.dump());
  ASSERT_EQ(keyed_first.status, 201) << keyed_first.body;
  const HttpReply keyed_again =
      s.take_with("POST", "/v1/batches", "/v1/batches", {{"Idempotency-Key", "openapi-batch-1"}}, keyed_batch.dump());
  EXPECT_EQ(keyed_again.status, 201) << keyed_again.body;
  EXPECT_EQ(keyed_again.json()["id"], keyed_first.json()["id"]);
  EXPECT_EQ(s.take_with("POST", "/v1/batches", "/v1/batches", {{"Idempotency-Key", "openapi-batch-1"}}, batch.body).status, 422);
  s.take("POST", "/v1/batches", "/v1/batches", Json{{"builds", Json::array()}}.dump());
  s.take("POST", "/v1/batches/{id}/cancel", "/v1/batches/" + batch_id + "/cancel");
  s.take("GET", "/v1/batches/{id}", "/v1/batches/" + batch_id);
  s.take("GET", "/v1/batches/{id}", "/v1/batches/batch-missing");
  s.take("GET", "/v1/batches", "/v1/batches");
  s.take("GET", "/v1/batches", "/v1/batches?done=maybe");

  const Json ended = server.wait_build(id);
  s.take("POST", "/v1/builds/{id}/cancel", "/v1/builds/" + id + "/cancel");  // 409: it has ended
  s.take("POST", "/v1/builds/{id}/cancel", "/v1/builds/b-missing/cancel");
  s.take("GET", "/v1/builds/{id}/report", "/v1/builds/" + id + "/report");
  s.take("GET", "/v1/builds/{id}/log", "/v1/builds/" + id + "/log");
  s.take("GET", "/v1/builds/{id}/log", "/v1/builds/b-missing/log");
  s.take("GET", "/v1/builds/{id}/context", "/v1/builds/" + id + "/context", "", "not-the-context-token");
  // The log as text, resumed after an event id, and the refusals of both.
  const HttpReply text_log = s.take("GET", "/v1/builds/{id}/log", "/v1/builds/" + id + "/log?format=text");
  EXPECT_EQ(text_log.status, 200) << text_log.body;
  EXPECT_EQ(text_log.headers.at("Content-Type").rfind("text/plain", 0), 0u);
  s.take_with("GET", "/v1/builds/{id}/log", "/v1/builds/" + id + "/log", {{"Accept", "text/plain"}});
  s.take_with("GET", "/v1/builds/{id}/log", "/v1/builds/" + id + "/log", {{"Last-Event-ID", "0"}});
  EXPECT_EQ(s.take("GET", "/v1/builds/{id}/log", "/v1/builds/" + id + "/log?format=html").status, 400);
  EXPECT_EQ(s.take_with("GET", "/v1/builds/{id}/log", "/v1/builds/" + id + "/log", {{"Last-Event-ID", "last"}}).status, 400);

  // Re-run: a new build naming the original; the key's repeat is the same build; a key given
  // for another path is a 422.
  const HttpReply rerun =
      s.take_with("POST", "/v1/builds/{id}/rerun", "/v1/builds/" + id + "/rerun", {{"Idempotency-Key", "openapi-rerun-1"}});
  ASSERT_EQ(rerun.status, 201) << rerun.body;
  EXPECT_EQ(rerun.json().value("rerun_of", ""), id);
  const std::string rerun_id = rerun.json()["id"];
  const HttpReply rerun_again =
      s.take_with("POST", "/v1/builds/{id}/rerun", "/v1/builds/" + id + "/rerun", {{"Idempotency-Key", "openapi-rerun-1"}});
  EXPECT_EQ(rerun_again.status, 201) << rerun_again.body;
  EXPECT_EQ(rerun_again.json()["id"], rerun_id);
  EXPECT_EQ(
      s.take_with("POST", "/v1/builds/{id}/rerun", "/v1/builds/b-missing/rerun", {{"Idempotency-Key", "openapi-rerun-1"}}).status,
      422);
  EXPECT_EQ(s.take("POST", "/v1/builds/{id}/rerun", "/v1/builds/b-missing/rerun").status, 404);
  EXPECT_EQ(s.take_with("POST", "/v1/contexts", "/v1/contexts", {{"Idempotency-Key", "openapi-upload-1"}}).status, 400);

  // Delete: a build that has ended, then the context once no build uses it; a re-run of a build
  // whose context is gone is a 409.
  server.wait_build(rerun_id);
  EXPECT_EQ(s.take("DELETE", "/v1/builds/{id}", "/v1/builds/" + rerun_id).status, 204);
  EXPECT_EQ(s.take("DELETE", "/v1/builds/{id}", "/v1/builds/" + rerun_id).status, 404);
  server.wait_build(first.json()["id"].get<std::string>());
  server.wait_batch(batch_id);
  server.wait_batch(keyed_first.json()["id"].get<std::string>());
  EXPECT_EQ(s.take("DELETE", "/v1/contexts/{id}", "/v1/contexts/" + context).status, 204);
  EXPECT_EQ(s.take("DELETE", "/v1/contexts/{id}", "/v1/contexts/" + context).status, 404);
  EXPECT_EQ(s.take("POST", "/v1/builds/{id}/rerun", "/v1/builds/" + id + "/rerun").status, 409);
  // A method the path does not take: no operation describes it, its body is an Error.
  const HttpReply wrong_method = server.request("PUT", "/v1/builds");
  EXPECT_EQ(wrong_method.status, 405);
  EXPECT_EQ(wrong_method.headers.at("Allow"), "POST, GET");
  s.add("PUT", "/v1/builds", wrong_method, "Error");

  // Every route of the server gave at least one real response to check.
  std::set<std::string> sampled;
  for (const Json& sample : s.all()) sampled.insert(sample["method"].get<std::string>() + " " + sample["path"].get<std::string>());
  for (const auto& route : server::api_routes()) {
    const std::string name = std::string(route.method) + " " + std::string(route.path);
    EXPECT_TRUE(sampled.count(name)) << name << " is a route of the server that this test never called: add a request "
                                     << "for it (its success and its refusals) above";
  }

  const auto samples_file = dir.path() / "samples.json";
  std::ofstream(samples_file) << s.all().dump(1);
  const ProcessResult check = run_process({"/usr/bin/python3", KILN_SOURCE_DIR "/tests/server/openapi/check.py",
                                           KILN_SOURCE_DIR "/server/api/openapi.json", samples_file.string()});
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
  EXPECT_NE(check.out.find(std::to_string(s.all().size()) + " responses checked, 0 problems"), std::string::npos) << check.out;
}

// The checker itself fails a response with a field the document lacks, or a status it does not
// list: without this, a checker that accepts everything would pass the test above.
TEST(ServerOpenApi, TheCheckerRefusesAnUndocumentedFieldAndStatus) {
  TempDir dir("kiln-server-openapi-checker");
  const Json samples = Json::array(
      {Json{{"method", "GET"}, {"path", "/healthz"}, {"status", 200}, {"content_type", "application/json"},
            {"body", R"({"status": "ok", "uptime": 5})"}},
       Json{{"method", "GET"}, {"path", "/healthz"}, {"status", 418}, {"content_type", "application/json"}, {"body", "{}"}}});
  std::ofstream(dir.path() / "samples.json") << samples.dump();
  const ProcessResult check = run_process({"/usr/bin/python3", KILN_SOURCE_DIR "/tests/server/openapi/check.py",
                                           KILN_SOURCE_DIR "/server/api/openapi.json", (dir.path() / "samples.json").string()});
  EXPECT_EQ(check.exit_code, 1) << check.out << check.err;
  EXPECT_NE(check.out.find("GET /healthz -> 200: the body does not match"), std::string::npos) << check.out;
  EXPECT_NE(check.out.find("Additional properties are not allowed"), std::string::npos) << check.out;
  EXPECT_NE(check.out.find("GET /healthz -> 418: status 418 is not among the documented responses"), std::string::npos) << check.out;
}

}  // namespace kiln::testing
