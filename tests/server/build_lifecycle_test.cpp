// A build's life after its submission, against the real kiln-server: Idempotency-Key on
// submissions (the same key and body give the first build, across a restart; another body is
// 422; a key whose first request is still in progress is 409; keys are per token), re-running a
// build with its sealed secrets, deleting builds and contexts, and retention shrinking the data
// dir, periodically and at start. A stand-in kiln-plugin prints lines (and a hash of the password
// it was given) and succeeds at once, or waits for a release file.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <arpa/inet.h>

#include <fstream>

#include "core/process.h"
#include "core/unique_fd.h"
#include "tests/server/server_fixture.h"

namespace kiln::testing {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

constexpr const char* kOtherToken = "other-token-9876543210";

// 2000 lines (200 KB of log), the SHA-256 of the password it was given, and, when the repo
// names "wait", a bounded wait for $release.
fs::path stand_in_plugin(const fs::path& dir, const fs::path& release) {
  const auto script = dir / "kiln-plugin-stand-in.sh";
  std::ofstream(script) << "#!/bin/sh\n"
                           "seq 1 2000 | sed 's/.*/log line & ............................................................................................/'\n"
                           "echo \"password-sha256: $(printf %s \"$PLUGIN_PASSWORD\" | sha256sum | cut -c1-64)\"\n"
                           "case \"$PLUGIN_REPO\" in *wait*) i=0; while [ ! -e '" << release.string()
                        << "' ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done;; esac\n"
                           "echo sha256:0000000000000000000000000000000000000000000000000000000000000000 > \"$PLUGIN_DIGEST_FILE\"\n";
  fs::permissions(script, fs::perms::owner_all);
  return script;
}

std::uintmax_t bytes_under(const fs::path& dir) {
  std::uintmax_t total = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file() && e.path().filename() != "kiln-server.db" && e.path().filename().string().find("kiln-server.db") != 0)
      total += e.file_size();
  return total;
}

std::size_t files_in(const fs::path& dir) {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) ++n;
  return n;
}

class ServerBuildLifecycle : public ::testing::Test {
 protected:
  ServerBuildLifecycle() {
    fs::create_directories(work.path() / "roots/app");
    std::ofstream(work.path() / "roots/app/Dockerfile") << "FROM scratch\n";
  }
  ServerOptions options(std::map<std::string, std::string> extra = {}) {
    extra["plugin_binary"] = stand_in_plugin(work.path(), release()).string();
    return {.concurrency = 1, .context_roots = {work.path() / "roots"}, .extra = extra, .more_tokens = {kOtherToken}};
  }
  Json build(const std::string& repo = "127.0.0.1:1/app") const {
    return {{"settings", {{"repo", repo}}}, {"context", (work.path() / "roots/app").string()}};
  }
  fs::path release() const { return work.path() / "release"; }
  fs::path data() const { return work.path() / "data"; }
  void release_builds() const { std::ofstream(release()) << "go\n"; }
  // An uploaded context (a tar of roots/app).
  static std::string upload(const ServerProcess& server, const fs::path& dir) {
    const std::string tar = run_process({"tar", "-C", dir.string(), "-cf", "-", "."}).out;
    const HttpReply r = server.request("POST", "/v1/contexts", tar, kToken, "application/x-tar");
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json()["id"];
  }

  TempDir work{"kiln-server-lifecycle"};
};

TEST_F(ServerBuildLifecycle, TheSameIdempotencyKeyAndBodyGiveTheFirstBuildEvenAfterARestart) {
  ServerProcess server(data(), options());
  release_builds();
  const std::string body = build().dump();
  const HttpReply first = server.request_with("POST", "/v1/builds", {{"Idempotency-Key", "7f7c2a5e-retry-1"}}, body);
  ASSERT_EQ(first.status, 201) << first.body;
  EXPECT_EQ(first.headers.count("Idempotent-Replayed"), 0u);
  const HttpReply again = server.request_with("POST", "/v1/builds", {{"Idempotency-Key", "7f7c2a5e-retry-1"}}, body);
  EXPECT_EQ(again.status, 201);
  EXPECT_EQ(again.json()["id"], first.json()["id"]);
  EXPECT_EQ(again.headers.at("Idempotent-Replayed"), "true");
  // The same JSON written differently is the same request.
  const HttpReply spaced = server.request_with("POST", "/v1/builds", {{"Idempotency-Key", "\"7f7c2a5e-retry-1\""}}, build().dump(2));
  EXPECT_EQ(spaced.json()["id"], first.json()["id"]);
  EXPECT_EQ(server.request("GET", "/v1/builds").json()["builds"].size(), 1u) << "one build for three requests";

  const HttpReply other_body = server.request_with("POST", "/v1/builds", {{"Idempotency-Key", "7f7c2a5e-retry-1"}},
                                                   build("127.0.0.1:1/other").dump());
  EXPECT_EQ(other_body.status, 422) << other_body.body;
  EXPECT_NE(other_body.body.find("Idempotency-Key"), std::string::npos);
  const HttpReply other_endpoint = server.request_with("POST", "/v1/batches", {{"Idempotency-Key", "7f7c2a5e-retry-1"}},
                                                       Json{{"builds", Json::array({build()})}}.dump());
  EXPECT_EQ(other_endpoint.status, 422) << "a key names one request, not one body";
  // Another token's key of the same name is its own.
  const HttpReply other_token = server.request_with("POST", "/v1/builds", {{"Idempotency-Key", "7f7c2a5e-retry-1"}}, body, kOtherToken);
  EXPECT_EQ(other_token.status, 201);
  EXPECT_NE(other_token.json()["id"], first.json()["id"]);

  for (const std::string& bad : std::vector<std::string>{"", std::string(256, 'a'), "has space", "semi;colon", "\xc3\xa9t\xc3\xa9"}) {
    const HttpReply r = server.request_with("POST", "/v1/builds", {{"Idempotency-Key", bad}}, body);
    EXPECT_EQ(r.status, 400) << "key '" << bad << "': " << r.body;
  }

  ASSERT_EQ(server.terminate(), 0);
  server.restart();
  const HttpReply after_restart = server.request_with("POST", "/v1/builds", {{"Idempotency-Key", "7f7c2a5e-retry-1"}}, body);
  EXPECT_EQ(after_restart.status, 201);
  EXPECT_EQ(after_restart.json()["id"], first.json()["id"]) << "answers are in the database";

  // A batch: the same batch again.
  const std::string batch = Json{{"builds", Json::array({build(), build()})}}.dump();
  const HttpReply b1 = server.request_with("POST", "/v1/batches", {{"Idempotency-Key", "batch-key"}}, batch);
  const HttpReply b2 = server.request_with("POST", "/v1/batches", {{"Idempotency-Key", "batch-key"}}, batch);
  ASSERT_EQ(b1.status, 201);
  EXPECT_EQ(b2.status, 201);
  EXPECT_EQ(b2.json()["id"], b1.json()["id"]);
  EXPECT_EQ(b2.json()["builds"].size(), 2u);
  // The database holds a keyed hash of each request, never a body.
  const HttpReply with_secret = server.request_with(
      "POST", "/v1/builds", {{"Idempotency-Key", "secret-key"}},
      Json{{"settings", {{"repo", "127.0.0.1:1/app"}, {"username", "u"}, {"password", "idempotent-password-77"}}},
           {"context", (work.path() / "roots/app").string()}}
          .dump());
  ASSERT_EQ(with_secret.status, 201) << with_secret.body;
  server.terminate();
  std::ifstream db(data() / "kiln-server.db", std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(db)), {});
  EXPECT_EQ(bytes.find("idempotent-password-77"), std::string::npos);
}

TEST_F(ServerBuildLifecycle, AKeyWhoseFirstRequestIsStillInProgressIs409) {
  ServerProcess server(data(), options());
  const std::string body = build().dump();
  // The first request sends its headers and half its body, then waits.
  UniqueFd slow(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in to{};
  to.sin_family = AF_INET;
  ::inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
  to.sin_port = htons(static_cast<std::uint16_t>(server.port()));
  ASSERT_EQ(::connect(slow.get(), reinterpret_cast<sockaddr*>(&to), sizeof to), 0);
  const std::string head = "POST /v1/builds HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + std::string(kToken) +
                           "\r\nIdempotency-Key: slow-key\r\nContent-Type: application/json\r\nContent-Length: " +
                           std::to_string(body.size()) + "\r\n\r\n" + body.substr(0, body.size() / 2);
  ::send(slow.get(), head.data(), head.size(), MSG_NOSIGNAL);
  std::this_thread::sleep_for(milliseconds(300));
  const HttpReply meanwhile = server.request_with("POST", "/v1/builds", {{"Idempotency-Key", "slow-key"}}, body);
  EXPECT_EQ(meanwhile.status, 409) << meanwhile.body;
  // The first one completes and is the build.
  const std::string rest = body.substr(body.size() / 2);
  ::send(slow.get(), rest.data(), rest.size(), MSG_NOSIGNAL);
  std::string answer;
  char buffer[4096];
  for (ssize_t n; answer.find("\"id\"") == std::string::npos && (n = ::recv(slow.get(), buffer, sizeof buffer, 0)) > 0;)
    answer.append(buffer, static_cast<std::size_t>(n));
  ASSERT_EQ(answer.rfind("HTTP/1.1 201", 0), 0u) << answer;
  const HttpReply later = server.request_with("POST", "/v1/builds", {{"Idempotency-Key", "slow-key"}}, body);
  EXPECT_EQ(later.status, 201);
  EXPECT_NE(answer.find(later.json()["id"].get<std::string>()), std::string::npos);
  release_builds();
}

TEST_F(ServerBuildLifecycle, ARerunIsANewBuildWithTheSameSettingsAndSealedSecretsLinkedToTheFirst) {
  ServerProcess server(data(), options());
  release_builds();
  Json b = build();
  b["settings"]["username"] = "robot";
  b["settings"]["password"] = "rerun-password-31415";
  b["timeout"] = "5m";
  const std::string first = server.submit(b)["id"];
  ASSERT_EQ(server.wait_build(first)["state"], "succeeded");
  const HttpReply rerun = server.request("POST", "/v1/builds/" + first + "/rerun");
  ASSERT_EQ(rerun.status, 201) << rerun.body;
  const Json second = rerun.json();
  EXPECT_NE(second["id"], first);
  EXPECT_EQ(second["rerun_of"], first);
  EXPECT_EQ(second["settings"], server.request("GET", "/v1/builds/" + first).json()["settings"]);
  EXPECT_EQ(rerun.body.find("rerun-password-31415"), std::string::npos) << "a secret is never returned";
  ASSERT_EQ(server.wait_build(second["id"])["state"], "succeeded");
  // Its kiln-plugin got the same password: both logs show its hash.
  const std::string hash = run_process({"sh", "-c", "printf %s rerun-password-31415 | sha256sum | cut -c1-64"}).out.substr(0, 64);
  for (const std::string id : {first, second["id"].get<std::string>()}) {
    const std::string log = server.request("GET", "/v1/builds/" + id + "/log?format=text").body;
    EXPECT_NE(log.find("password-sha256: " + hash), std::string::npos) << id;
    EXPECT_EQ(log.find("rerun-password-31415"), std::string::npos);
  }
  EXPECT_EQ(server.output().find("rerun-password-31415"), std::string::npos) << "nor logged";
  EXPECT_EQ(server.request("POST", "/v1/builds/b-0000000000000000/rerun").status, 404);
}

TEST_F(ServerBuildLifecycle, ARunningBuildCannotBeRerunOrDeletedAndADeletedContextCannotBeRerun) {
  ServerProcess server(data(), options());
  const std::string ctx = upload(server, work.path() / "roots/app");
  Json waiting = build("127.0.0.1:1/wait");
  waiting["context"] = ctx;
  const std::string id = server.submit(waiting)["id"];
  const HttpReply busy_delete = server.request("DELETE", "/v1/builds/" + id);
  EXPECT_EQ(busy_delete.status, 409) << busy_delete.body;
  EXPECT_EQ(server.request("POST", "/v1/builds/" + id + "/rerun").status, 409);
  const HttpReply busy_context = server.request("DELETE", "/v1/contexts/" + ctx);
  EXPECT_EQ(busy_context.status, 409) << busy_context.body;
  EXPECT_NE(busy_context.body.find("queued or running"), std::string::npos);
  EXPECT_TRUE(fs::is_directory(data() / "contexts" / ctx));
  release_builds();
  ASSERT_EQ(server.wait_build(id)["state"], "succeeded");

  EXPECT_EQ(server.request("DELETE", "/v1/contexts/" + ctx).status, 204);
  EXPECT_FALSE(fs::exists(data() / "contexts" / ctx));
  EXPECT_EQ(server.request("DELETE", "/v1/contexts/" + ctx).status, 404);
  EXPECT_EQ(server.request("DELETE", "/v1/contexts/..").status, 404);
  EXPECT_EQ(server.request("DELETE", "/v1/contexts/ctx-..%2F..%2Flogs").status, 404);
  const HttpReply gone = server.request("POST", "/v1/builds/" + id + "/rerun");
  EXPECT_EQ(gone.status, 409) << gone.body;
  EXPECT_NE(gone.body.find("context"), std::string::npos) << gone.body;
}

TEST_F(ServerBuildLifecycle, DeletingAFinishedBuildRemovesItsRecordLogAndFiles) {
  ServerProcess server(data(), options());
  release_builds();
  const std::string id = server.submit(build())["id"];
  ASSERT_EQ(server.wait_build(id)["state"], "succeeded");
  ASSERT_TRUE(fs::exists(data() / "logs" / (id + ".log")));
  const HttpReply deleted = server.request("DELETE", "/v1/builds/" + id);
  EXPECT_EQ(deleted.status, 204) << deleted.body;
  EXPECT_FALSE(fs::exists(data() / "logs" / (id + ".log")));
  EXPECT_FALSE(fs::exists(data() / "tmp" / id));
  EXPECT_EQ(server.request("GET", "/v1/builds/" + id).status, 404);
  EXPECT_EQ(server.request("GET", "/v1/builds/" + id + "/log?format=text").status, 404);
  EXPECT_EQ(server.request("DELETE", "/v1/builds/" + id).status, 404);
  EXPECT_EQ(server.request("GET", "/v1/builds").json()["builds"].size(), 0u);
}

TEST_F(ServerBuildLifecycle, RetentionKeepsTheNewestFinishedBuildsAndTheDataDirShrinks) {
  ServerProcess server(data(), options({{"retention_max_builds", "2"}, {"retention_interval", "1s"}}));
  release_builds();
  const std::string ctx = upload(server, work.path() / "roots/app");
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    Json b = build();
    if (i == 0) b["context"] = ctx;  // the oldest: its upload goes with it
    ids.push_back(server.submit(b)["id"]);
    ASSERT_EQ(server.wait_build(ids.back())["state"], "succeeded");
  }
  std::vector<std::string> kept;
  for (int i = 0; i < 50; ++i) {
    kept.clear();
    const HttpReply list = server.request("GET", "/v1/builds");
    ASSERT_EQ(list.status, 200) << list.body << server.output();
    const Json listed = list.json();
    for (const auto& b : listed["builds"]) kept.push_back(b["id"]);
    if (kept.size() == 2) break;
    std::this_thread::sleep_for(milliseconds(100));
  }
  EXPECT_EQ(kept, (std::vector<std::string>{ids[4], ids[3]})) << "the two newest are kept";
  EXPECT_EQ(files_in(data() / "logs"), 2u);
  EXPECT_FALSE(fs::exists(data() / "contexts" / ctx)) << "an upload no build uses any more goes";
  // Five logs of more than 200 KB each were written (the sweeps ran between the builds too).
  EXPECT_LT(bytes_under(data()), 3u * 200000) << "what is left is about two logs";
}

TEST_F(ServerBuildLifecycle, RetentionRunsAtStartBeforeAnyBuild) {
  std::vector<std::string> ids;
  {
    ServerProcess server(data(), options({{"retention_max_age", "0"}, {"retention_max_builds", "0"}}));
    release_builds();
    for (int i = 0; i < 3; ++i) {
      ids.push_back(server.submit(build())["id"]);
      ASSERT_EQ(server.wait_build(ids.back())["state"], "succeeded");
    }
    EXPECT_EQ(files_in(data() / "logs"), 3u) << "0 turns retention off";
    // A queued build is never retention's: it survives the restart below.
    fs::remove(release());
    ids.push_back(server.submit(build("127.0.0.1:1/wait"))["id"]);
    ids.push_back(server.submit(build("127.0.0.1:1/queued"))["id"]);
    server.terminate();
  }
  const auto before = bytes_under(data());
  std::this_thread::sleep_for(milliseconds(1100));
  ServerProcess server(data(), options({{"retention_max_age", "1s"}}));
  std::vector<std::string> left;
  const Json listed = server.request("GET", "/v1/builds").json();
  for (const auto& b : listed["builds"]) left.push_back(b["id"]);
  EXPECT_EQ(left, (std::vector<std::string>{ids[4], ids[3]})) << "the finished builds older than 1s are gone at start";
  EXPECT_LT(bytes_under(data()), before - 3 * 200000);
  release_builds();
}

}  // namespace
}  // namespace kiln::testing
