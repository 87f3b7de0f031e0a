// A build's log after the fact and across reconnects, against the real kiln-server: every SSE
// event carries an id, a reconnect with Last-Event-ID resumes after that event without a line
// twice or lost (in the stored file and while the build runs, past one turn's 256 KiB), the log
// downloads as plain text, log streams count toward max_connections_per_client, and the secrets
// of one submission are not redacted from the builds that follow it.
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <fstream>

#include "core/unique_fd.h"
#include "tests/server/server_fixture.h"

namespace kiln::testing {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

// 3000 lines of about 100 bytes ("line N ..."), the password and repo settings it was given, then
// (once $release exists, bounded) 3000 more ("after N ..."). 600 KB: more than one turn of a stream.
fs::path long_plugin(const fs::path& dir, const fs::path& release) {
  const auto script = dir / "kiln-plugin-long.sh";
  std::ofstream(script) << "#!/bin/sh\n"
                           "seq 0 2999 | sed 's/.*/line & ......................................................................................../'\n"
                           "echo \"repo is $PLUGIN_REPO; password is $PLUGIN_PASSWORD\"\n"
                           "i=0\n"
                           "while [ ! -e '" << release.string() << "' ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done\n"
                           "seq 0 2999 | sed 's/.*/after & ......................................................................................../'\n"
                           "echo sha256:0000000000000000000000000000000000000000000000000000000000000000 > \"$PLUGIN_DIGEST_FILE\"\n";
  fs::permissions(script, fs::perms::owner_all);
  return script;
}

struct Event {
  std::string id;
  std::string data;
  std::string name;  ///< "end" for the end event
};

// The events of an SSE text (after chunked decoding): "id: …\ndata: …\n\n" and "event: end".
std::vector<Event> parse_events(const std::string& text) {
  std::vector<Event> out;
  std::size_t at = 0;
  while (at < text.size()) {
    const auto end = text.find("\n\n", at);
    if (end == std::string::npos) break;
    const std::string block = text.substr(at, end - at);
    at = end + 2;
    Event e;
    std::size_t line_start = 0;
    bool has_data = false;
    while (line_start <= block.size()) {
      const auto nl = std::min(block.find('\n', line_start), block.size());
      const std::string line = block.substr(line_start, nl - line_start);
      if (line.rfind("id: ", 0) == 0) e.id = line.substr(4);
      if (line.rfind("data: ", 0) == 0) e.data = line.substr(6), has_data = true;
      if (line.rfind("event: ", 0) == 0) e.name = line.substr(7);
      line_start = nl + 1;
    }
    if (has_data) out.push_back(e);
  }
  return out;
}

// A follower on a socket of its own, from `source` (any 127.x.y.z), reading as the bytes arrive.
class RawFollower {
 public:
  RawFollower(int port, const std::string& id, const std::string& source = "127.0.0.1", const std::string& last_event_id = "")
      : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    sockaddr_in from{}, to{};
    from.sin_family = to.sin_family = AF_INET;
    ::inet_pton(AF_INET, source.c_str(), &from.sin_addr);
    ::inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
    to.sin_port = htons(static_cast<std::uint16_t>(port));
    timeval timeout{30, 0};
    ::setsockopt(fd_.get(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    connected_ = ::bind(fd_.get(), reinterpret_cast<sockaddr*>(&from), sizeof from) == 0 &&
                 ::connect(fd_.get(), reinterpret_cast<sockaddr*>(&to), sizeof to) == 0;
    std::string request = "GET /v1/builds/" + id + "/log HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
                          std::string(kToken) + "\r\n";
    if (!last_event_id.empty()) request += "Last-Event-ID: " + last_event_id + "\r\n";
    request += "\r\n";
    if (connected_) ::send(fd_.get(), request.data(), request.size(), MSG_NOSIGNAL);
  }
  /// Reads until `text` has arrived, the stream closes or 30 s pass; true when it arrived.
  bool read_until(const std::string& text) {
    char buffer[65536];
    while (received_.find(text) == std::string::npos) {
      const auto n = ::recv(fd_.get(), buffer, sizeof buffer, 0);
      if (n <= 0) return false;
      received_.append(buffer, static_cast<std::size_t>(n));
    }
    return true;
  }
  /// The events received so far, from the chunked body.
  std::vector<Event> events() const {
    const auto body_at = received_.find("\r\n\r\n");
    if (body_at == std::string::npos) return {};
    std::string body, rest = received_.substr(body_at + 4);
    for (std::size_t at = 0; at < rest.size();) {
      const auto crlf = rest.find("\r\n", at);
      if (crlf == std::string::npos) break;
      const std::size_t size = std::stoul(rest.substr(at, crlf - at), nullptr, 16);
      if (size == 0 || crlf + 2 + size > rest.size()) break;
      body += rest.substr(crlf + 2, size);
      at = crlf + 2 + size + 2;
    }
    return parse_events(body);
  }
  const std::string& received() const { return received_; }

 private:
  UniqueFd fd_;
  bool connected_ = false;
  std::string received_;
};

std::vector<std::string> data_of(const std::vector<Event>& events, std::size_t from = 0) {
  std::vector<std::string> out;
  for (std::size_t i = from; i < events.size(); ++i) out.push_back(events[i].name.empty() ? events[i].data : "event: " + events[i].name);
  return out;
}

class ServerLogResume : public ::testing::Test {
 protected:
  ServerLogResume() {
    fs::create_directories(work.path() / "roots/app");
    std::ofstream(work.path() / "roots/app/Dockerfile") << "FROM scratch\n";
  }
  ServerOptions options(std::map<std::string, std::string> extra = {}) {
    extra["plugin_binary"] = long_plugin(work.path(), release()).string();
    return {.concurrency = 1, .context_roots = {work.path() / "roots"}, .extra = extra};
  }
  Json build(const std::string& repo = "127.0.0.1:1/app") const {
    return {{"settings", {{"repo", repo}}}, {"context", (work.path() / "roots/app").string()}};
  }
  fs::path release() const { return work.path() / "release"; }
  fs::path data() const { return work.path() / "data"; }
  void release_builds() const { std::ofstream(release()) << "go\n"; }

  TempDir work{"kiln-server-log-resume"};
};

TEST_F(ServerLogResume, EveryEventHasAnIdAndLastEventIdResumesAFinishedLogExactly) {
  ServerProcess server(data(), options());
  release_builds();
  const std::string id = server.submit(build())["id"];
  ASSERT_EQ(server.wait_build(id)["state"], "succeeded");

  RawFollower first(server.port(), id);
  ASSERT_TRUE(first.read_until("event: end"));
  const auto all = first.events();
  ASSERT_EQ(all.size(), 6002u) << "6001 lines and the end event";
  std::int64_t previous = 0;
  for (std::size_t i = 0; i + 1 < all.size(); ++i) {
    ASSERT_FALSE(all[i].id.empty()) << "event " << i << " has no id";
    const std::int64_t offset = std::stoll(all[i].id);
    EXPECT_GT(offset, previous) << "ids increase";
    previous = offset;
  }
  EXPECT_EQ(previous, static_cast<std::int64_t>(fs::file_size(data() / "logs" / (id + ".log")))) << "the last id is the log's size";

  // After line 4500 of 6001: well past the first 256 KiB that one turn of a stream sends.
  for (const std::size_t seen : {std::size_t{0}, std::size_t{2999}, std::size_t{4500}, std::size_t{5999}}) {
    RawFollower again(server.port(), id, "127.0.0.1", all[seen].id);
    ASSERT_TRUE(again.read_until("event: end"));
    const auto resumed = again.events();
    EXPECT_EQ(data_of(resumed), data_of(all, seen + 1)) << "resumed after event " << seen;
    ASSERT_FALSE(resumed.empty());
    EXPECT_EQ(resumed.front().id, seen + 2 < all.size() ? all[seen + 1].id : "");
  }
}

TEST_F(ServerLogResume, AReconnectDuringTheBuildGetsEveryLaterLineOnce) {
  ServerProcess server(data(), options());
  const std::string id = server.submit(build())["id"];
  RawFollower first(server.port(), id);
  ASSERT_TRUE(first.read_until("data: repo is")) << first.received().substr(0, 300);
  const auto before = first.events();
  ASSERT_GE(before.size(), 3001u);
  // The client lost its connection after line 1000, reconnects while the build still runs.
  RawFollower resumed(server.port(), id, "127.0.0.1", before[1000].id);
  ASSERT_TRUE(resumed.read_until("data: repo is"));
  release_builds();
  ASSERT_TRUE(resumed.read_until("event: end"));
  ASSERT_TRUE(first.read_until("event: end"));
  const auto whole = first.events();
  ASSERT_EQ(whole.size(), 6002u);
  EXPECT_EQ(data_of(resumed.events()), data_of(whole, 1001)) << "no line twice, none lost";
  // Its ids are those of the uninterrupted stream, and of the stored file once the build ended.
  std::vector<std::string> ids_live, ids_whole;
  for (const auto& e : resumed.events()) ids_live.push_back(e.id);
  for (std::size_t i = 1001; i < whole.size(); ++i) ids_whole.push_back(whole[i].id);
  EXPECT_EQ(ids_live, ids_whole);
  RawFollower after_end(server.port(), id, "127.0.0.1", whole[4000].id);
  ASSERT_TRUE(after_end.read_until("event: end"));
  EXPECT_EQ(data_of(after_end.events()), data_of(whole, 4001)) << "the live ids hold in the stored file too";
}

TEST_F(ServerLogResume, AMalformedLastEventIdIs400) {
  ServerProcess server(data(), options());
  release_builds();
  const std::string id = server.submit(build())["id"];
  for (const char* bad : {"abc", "-5", "12x", "1e9", "99999999999999999999999"}) {
    const HttpReply r = server.request_with("GET", "/v1/builds/" + id + "/log", {{"Last-Event-ID", bad}});
    EXPECT_EQ(r.status, 400) << bad;
    EXPECT_NE(r.body.find("Last-Event-ID"), std::string::npos) << r.body;
  }
  EXPECT_EQ(server.request("GET", "/v1/builds/" + id + "/log?format=xml").status, 400);
}

TEST_F(ServerLogResume, ThePlainTextLogIsTheWholeStoredLogWithSecretsRedacted) {
  ServerProcess server(data(), options());
  release_builds();
  Json b = build();
  b["settings"]["username"] = "robot";
  b["settings"]["password"] = "text-log-password-42";
  const std::string id = server.submit(b)["id"];
  ASSERT_EQ(server.wait_build(id)["state"], "succeeded");
  RawFollower sse(server.port(), id);
  ASSERT_TRUE(sse.read_until("event: end"));
  std::string expected;
  for (const auto& e : sse.events())
    if (e.name.empty()) expected += e.data + "\n";

  for (const auto& [path, headers] : std::vector<std::pair<std::string, std::map<std::string, std::string>>>{
           {"/v1/builds/" + id + "/log?format=text", {}}, {"/v1/builds/" + id + "/log", {{"Accept", "text/plain"}}}}) {
    const HttpReply text = server.request_with("GET", path, headers);
    EXPECT_EQ(text.status, 200) << path;
    EXPECT_EQ(text.headers.at("Content-Type"), "text/plain; charset=utf-8");
    EXPECT_TRUE(text.body == expected) << path << ": " << text.body.size() << " bytes, the stream's lines " << expected.size();
    EXPECT_EQ(text.body.find("text-log-password-42"), std::string::npos);
    EXPECT_NE(text.body.find("password is ****"), std::string::npos);
  }
  EXPECT_EQ(server.request("GET", "/v1/builds/b-0000000000000000/log?format=text").status, 404);
}

TEST_F(ServerLogResume, LogStreamsCountTowardMaxConnectionsPerClient) {
  ServerProcess server(data(), options({{"max_connections_per_client", "3"}}));
  const std::string id = server.submit(build())["id"];
  std::vector<std::unique_ptr<RawFollower>> streams;
  for (int i = 0; i < 3; ++i) {
    streams.push_back(std::make_unique<RawFollower>(server.port(), id, "127.0.0.4"));
    ASSERT_TRUE(streams.back()->read_until("data: line 0 ")) << "stream " << i;
  }
  // The three streams were handed off from their request threads, and still count.
  RawFollower fourth(server.port(), id, "127.0.0.4");
  EXPECT_FALSE(fourth.read_until("HTTP/1.1")) << "a fourth connection from the same client is closed unanswered: "
                                              << fourth.received();
  EXPECT_EQ(server.request("GET", "/healthz").status, 200) << "another client is served";
  streams.pop_back();  // one stream ends: its place is free again
  bool answered = false;
  for (int attempt = 0; attempt < 50 && !answered; ++attempt) {
    RawFollower again(server.port(), id, "127.0.0.4");
    answered = again.read_until("data: line 0 ");
    if (!answered) std::this_thread::sleep_for(milliseconds(100));
  }
  EXPECT_TRUE(answered);
  release_builds();
}

TEST_F(ServerLogResume, OneSubmissionsPasswordIsNotRedactedFromTheBuildsAfterIt) {
  ServerProcess server(data(), options());
  release_builds();
  Json with_password = build();
  with_password["settings"]["username"] = "robot";
  with_password["settings"]["password"] = "earlier-builds-secret";
  const std::string first = server.submit(with_password)["id"];
  ASSERT_EQ(server.wait_build(first)["state"], "succeeded");
  // A later build whose plain repo name happens to hold the same word: the first build's
  // credential was redacted while that build ran, and is not checked against every line forever.
  const std::string second = server.submit(build("127.0.0.1:1/earlier-builds-secret"))["id"];
  ASSERT_EQ(server.wait_build(second)["state"], "succeeded");
  const std::string log = server.request("GET", "/v1/builds/" + second + "/log?format=text").body;
  EXPECT_NE(log.find("repo is 127.0.0.1:1/earlier-builds-secret;"), std::string::npos) << log.substr(log.size() - 2000);
  const std::string first_log = server.request("GET", "/v1/builds/" + first + "/log?format=text").body;
  EXPECT_EQ(first_log.find("earlier-builds-secret"), std::string::npos) << "redacted in its own build";
}

}  // namespace
}  // namespace kiln::testing
