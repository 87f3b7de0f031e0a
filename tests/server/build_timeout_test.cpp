// A build's deadline: a registry that accepts connections and never answers would hold a build
// (and its slot) until kiln-plugin's own registry_timeout, 2 minutes by default per request.
// The build's "timeout", else the server's build_timeout, stops it and fails it with the reason.
// The real kiln-plugin runs against a listening socket nobody ever reads.
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <gtest/gtest.h>

#include <fstream>

#include "tests/server/server_fixture.h"

namespace kiln::testing {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

class ServerBuildTimeout : public ::testing::Test {
 protected:
  ServerBuildTimeout() {
    fs::create_directories(context());
    fs::copy_file(KILN_HELLO_BINARY, context() / "main");
  }
  fs::path context() const { return work.path() / "roots/app"; }
  ServerOptions options(std::map<std::string, std::string> extra = {}) const {
    return {.concurrency = 1, .context_roots = {work.path() / "roots"}, .extra = std::move(extra)};
  }
  // The kernel completes each connection's handshake (the backlog); nothing ever reads or answers.
  std::string silent_host() const { return "127.0.0.1:" + std::to_string(silent.address().port()); }
  Json build(const Json& timeout = nullptr) const {
    Json b = {{"settings",
               {{"repo", silent_host() + "/app"}, {"base_image", silent_host() + "/base:1"}, {"binary", "main"}, {"insecure", true}}},
              {"context", context().string()}};
    if (!timeout.is_null()) b["timeout"] = timeout;
    return b;
  }

  TempDir work{"kiln-server-timeout"};
  Poco::Net::ServerSocket silent{Poco::Net::SocketAddress("127.0.0.1", 0), 64};
};

}  // namespace

TEST_F(ServerBuildTimeout, ABuildsOwnTimeoutStopsItAndFailsItWithTheReason) {
  ServerProcess server(work.path() / "data", options());
  const auto started = Clock::now();
  const std::string id = server.submit(build("3s"))["id"];
  const Json done = server.wait_build(id, std::chrono::seconds(60));
  EXPECT_EQ(done["state"], "failed") << done.dump();
  EXPECT_EQ(done["message"], "timed out: stopped after 3s (the build's timeout)") << done.dump();
  // Well before kiln-plugin's own registry_timeout of 2 minutes would have ended it.
  EXPECT_LT(Clock::now() - started, std::chrono::seconds(60));
  // The slot is free again: the next build runs (and times out) too.
  const std::string next = server.submit(build("2s"))["id"];
  EXPECT_EQ(server.wait_build(next, std::chrono::seconds(60))["state"], "failed");
  std::ifstream log(work.path() / "data/logs" / (id + ".log"));
  const std::string text((std::istreambuf_iterator<char>(log)), {});
  EXPECT_NE(text.find("--- kiln-server: timed out: stopped after 3s (the build's timeout)"), std::string::npos) << text;
}

TEST_F(ServerBuildTimeout, TheServersBuildTimeoutAppliesToABuildWithoutOne) {
  ServerProcess server(work.path() / "data", options({{"build_timeout", "2s"}}));
  const std::string id = server.submit(build())["id"];
  const Json done = server.wait_build(id, std::chrono::seconds(60));
  EXPECT_EQ(done["state"], "failed") << done.dump();
  EXPECT_EQ(done["message"], "timed out: stopped after 2s (the server's build_timeout)") << done.dump();
}

TEST_F(ServerBuildTimeout, ATimeoutLongerThanTheServersOrMalformedIs400) {
  ServerProcess server(work.path() / "data", options({{"build_timeout", "10m"}}));
  HttpReply r = server.request("POST", "/v1/builds", build("1h").dump());
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.json()["error"], "timeout: 1h is longer than this server's build_timeout of 10m") << r.body;
  for (const Json& bad : {Json("soon"), Json(30), Json("0s"), Json("-5s")}) {
    r = server.request("POST", "/v1/builds", build(bad).dump());
    EXPECT_EQ(r.status, 400) << bad.dump();
    EXPECT_NE(r.body.find("timeout: expected a duration of at least 1s"), std::string::npos) << r.body;
  }
  // In a batch: the batch's own timeout applies to every build, a build's overrides it.
  r = server.request("POST", "/v1/batches",
                     Json{{"timeout", "5m"}, {"builds", Json::array({build(), build("30s")})}}.dump());
  ASSERT_EQ(r.status, 201) << r.body;
  // r.json() is a temporary: iterating a member of it would outlive it (ASan: heap-use-after-free).
  const Json batch = r.json();
  for (const auto& b : batch["builds"]) server.request("POST", "/v1/builds/" + b["id"].get<std::string>() + "/cancel");
  r = server.request("POST", "/v1/batches", Json{{"builds", Json::array({build(), build("2h")})}}.dump());
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.json()["error"], "builds[1].timeout: 2h is longer than this server's build_timeout of 10m") << r.body;
}

}  // namespace kiln::testing
