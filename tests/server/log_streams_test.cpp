// Log streams do not hold a request thread each: with hundreds of followers on a running build,
// /healthz and the API still answer, every follower gets the build's lines and its end, and
// past max_log_streams a follower gets a clear 503. A stand-in kiln-plugin prints a line, then
// waits for a file to appear before it ends, so the streams stay open as long as the test needs.
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <gtest/gtest.h>

#include <fstream>

#include "core/process.h"
#include "tests/server/server_fixture.h"
#include "tests/support/files.h"
#include "tests/support/tools.h"

namespace kiln::testing {
namespace {

namespace fs = std::filesystem;

// Prints "started", then waits (bounded) until $release exists, prints "ending" and succeeds.
fs::path streams_waiting_plugin(const fs::path& dir, const fs::path& release) {
  const auto script = dir / "kiln-plugin-waits.sh";
  std::ofstream(script) << "#!/bin/sh\n"
                           "echo started\n"
                           "i=0\n"
                           "while [ ! -e '" << release.string() << "' ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done\n"
                           "echo ending\n"
                           "echo sha256:0000000000000000000000000000000000000000000000000000000000000000 > \"$PLUGIN_DIGEST_FILE\"\n";
  fs::permissions(script, fs::perms::owner_all);
  return script;
}

// A follower: GET /v1/builds/{id}/log on a socket of its own, read as it arrives.
class Follower {
 public:
  Follower(int port, const std::string& id) : socket_(Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(port))) {
    const std::string request = "GET /v1/builds/" + id + "/log HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
                                std::string(kToken) + "\r\n\r\n";
    socket_.sendBytes(request.data(), static_cast<int>(request.size()));
    socket_.setReceiveTimeout(Poco::Timespan(30, 0));
  }
  /// Reads until `text` has arrived (or the stream closes, or 30 s pass); true when it did.
  bool read_until(const std::string& text) {
    char buffer[4096];
    while (received_.find(text) == std::string::npos) {
      int n = 0;
      try {
        n = socket_.receiveBytes(buffer, sizeof buffer);
      } catch (const std::exception&) {
        return false;
      }
      if (n <= 0) return false;
      received_.append(buffer, static_cast<std::size_t>(n));
    }
    return true;
  }
  const std::string& received() const { return received_; }

 private:
  Poco::Net::StreamSocket socket_;
  std::string received_;
};

class ServerLogStreams : public ::testing::Test {
 protected:
  ServerLogStreams() {
    fs::create_directories(work.path() / "roots/app");
    std::ofstream(work.path() / "roots/app/Dockerfile") << "FROM scratch\n";
  }
  ServerOptions options(std::map<std::string, std::string> extra = {}) {
    extra["plugin_binary"] = streams_waiting_plugin(work.path(), release()).string();
    return {.concurrency = 1, .context_roots = {work.path() / "roots"}, .extra = extra};
  }
  Json build() const { return {{"settings", {{"repo", "127.0.0.1:1/app"}}}, {"context", (work.path() / "roots/app").string()}}; }
  fs::path release() const { return work.path() / "release"; }
  fs::path data() const { return work.path() / "data"; }

  TempDir work{"kiln-server-log-streams"};
};

}  // namespace

TEST_F(ServerLogStreams, HealthzAndTheApiAnswerWhileHundredsOfStreamsAreOpen) {
  // All connect at once from one address, each one request: the per-client and per-token bounds are raised.
  ServerProcess server(data(), options({{"max_connections_per_client", "1000"}, {"rate_limit", "10000"}, {"rate_burst", "10000"}}));
  const std::string id = server.submit(build())["id"];
  // Far more than the server's 64 request threads.
  constexpr int kFollowers = 300;
  std::vector<std::unique_ptr<Follower>> followers;
  for (int i = 0; i < kFollowers; ++i) followers.push_back(std::make_unique<Follower>(server.port(), id));
  for (int i = 0; i < kFollowers; ++i)
    ASSERT_TRUE(followers[i]->read_until("data: started\n\n")) << "follower " << i << ": " << followers[i]->received();

  // Every request thread would be taken if each stream held one: these would then wait forever.
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(server.request("GET", "/healthz").status, 200);
    EXPECT_EQ(server.request("GET", "/v1/builds/" + id).json()["state"], "running");
  }
  EXPECT_EQ(server.request("GET", "/metrics").status, 200);

  std::ofstream(release()) << "go\n";
  for (int i = 0; i < kFollowers; ++i) {
    ASSERT_TRUE(followers[i]->read_until("event: end\ndata: {\"state\":\"succeeded\"}\n\n")) << "follower " << i << ": "
                                                                                            << followers[i]->received();
    EXPECT_NE(followers[i]->received().find("data: ending\n\n"), std::string::npos);
    // Headers a client expects of an event stream, and the chunked body ends properly.
    EXPECT_EQ(followers[i]->received().rfind("HTTP/1.1 200 OK\r\n", 0), 0u);
    EXPECT_NE(followers[i]->received().find("Content-Type: text/event-stream\r\n"), std::string::npos);
    EXPECT_TRUE(followers[i]->read_until("\r\n0\r\n\r\n")) << followers[i]->received();
  }
}

TEST_F(ServerLogStreams, PastMaxLogStreamsAFollowerGets503NamingTheKey) {
  ServerProcess server(data(), options({{"max_log_streams", "3"}}));
  const std::string id = server.submit(build())["id"];
  std::vector<std::unique_ptr<Follower>> followers;
  for (int i = 0; i < 3; ++i) {
    followers.push_back(std::make_unique<Follower>(server.port(), id));
    ASSERT_TRUE(followers.back()->read_until("data: started\n\n")) << followers.back()->received();
  }
  const HttpReply refused = server.request("GET", "/v1/builds/" + id + "/log");
  EXPECT_EQ(refused.status, 503) << refused.body;
  EXPECT_NE(refused.json()["error"].get<std::string>().find("max_log_streams"), std::string::npos) << refused.body;
  EXPECT_EQ(refused.headers.at("Retry-After"), "10");
  // A stream that ends gives its place back.
  std::ofstream(release()) << "go\n";
  ASSERT_TRUE(followers[0]->read_until("event: end")) << followers[0]->received();
  EXPECT_EQ(server.wait_build(id)["state"], "succeeded");
  // The place is given back once the stream is closed, a moment after its last bytes.
  const std::string second = server.submit(build())["id"];
  std::unique_ptr<Follower> late;
  for (int attempt = 0; attempt < 50; ++attempt) {
    late = std::make_unique<Follower>(server.port(), second);
    ASSERT_TRUE(late->read_until("\r\n\r\n")) << late->received();
    if (late->received().rfind("HTTP/1.1 503", 0) != 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(late->received().rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << late->received();
  EXPECT_TRUE(late->read_until("event: end")) << late->received();
}

TEST_F(ServerLogStreams, AFinishedBuildsLogIsSentWholeAndEnds) {
  std::ofstream(release()) << "go\n";
  ServerProcess server(data(), options());
  const std::string id = server.submit(build())["id"];
  EXPECT_EQ(server.wait_build(id)["state"], "succeeded");
  const HttpReply log = server.request("GET", "/v1/builds/" + id + "/log");
  EXPECT_EQ(log.status, 200);
  EXPECT_EQ(log.headers.at("Content-Type"), "text/event-stream");
  // Each line's id is the offset just after it in the stored log.
  EXPECT_NE(log.body.find("id: 8\ndata: started\n\nid: 15\ndata: ending\n\n"), std::string::npos) << log.body;
  EXPECT_NE(log.body.find("event: end\ndata: {\"state\":\"succeeded\"}\n\n"), std::string::npos) << log.body;
}

TEST_F(ServerLogStreams, OverTlsAStreamFollowsLiveAndEnds) {
  const auto cert = work.path() / "tls.crt", key = work.path() / "tls.key";
  run_ok({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1", "-addext",
          "subjectAltName=IP:127.0.0.1", "-keyout", key.string(), "-out", cert.string()});
  ServerProcess server(data(), options({{"tls_cert", cert.string()}, {"tls_key", key.string()}}));
  // The fixture's client speaks plain HTTP: curl submits, and follows, over TLS.
  const std::string url = "https://127.0.0.1:" + std::to_string(server.port());
  const std::string auth = std::string("Authorization: Bearer ") + kToken;
  const Json created = Json::parse(run_ok({"curl", "-sS", "--cacert", cert.string(), "-H", auth, "-H",
                                           "Content-Type: application/json", "-d", build().dump(), url + "/v1/builds"}));
  const std::string id = created["id"];
  ChildProcess follower({"curl", "-sS", "-N", "--cacert", cert.string(), "-H", auth, url + "/v1/builds/" + id + "/log"}, {});
  ASSERT_TRUE(follower.wait_for_output("data: started", std::chrono::seconds(30))) << follower.output();
  std::ofstream(release()) << "go\n";
  ASSERT_TRUE(follower.wait_for_output("event: end\ndata: {\"state\":\"succeeded\"}", std::chrono::seconds(30)))
      << follower.output();
  // The server ends the stream (the chunked body's end): curl exits by itself, content.
  // (An exited child stays a zombie until stop() reaps it: its state in /proc says it exited.)
  const auto exited = [&] {
    const std::string stat = read_file("/proc/" + std::to_string(follower.pid()) + "/stat");
    return stat.empty() || stat.find(") Z ") != std::string::npos;
  };
  for (int i = 0; i < 100 && !exited(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_TRUE(exited()) << follower.output();
  EXPECT_EQ(follower.stop(), 0) << follower.output();
  EXPECT_NE(follower.output().find("data: ending"), std::string::npos) << follower.output();
}

}  // namespace kiln::testing
