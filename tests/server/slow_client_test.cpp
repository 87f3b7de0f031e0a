// Slowloris against a real kiln-server: connections that send their request one byte at a time.
// Each connection holds a server thread while it is read, so before the bounds 80 of them left
// /healthz unanswered for as long as they trickled. Now one address may hold only
// max_connections_per_client connections, and headers and bodies have deadlines. Every test
// ends in a few seconds whatever the server does.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <poll.h>
#include <sys/socket.h>

#include <optional>

#include "core/unique_fd.h"
#include "tests/server/server_fixture.h"

namespace kiln::testing {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

// A client connected from `source` (any 127.x.y.z is this machine) that sends `start` and then
// one byte more whenever asked, without ever finishing its request.
class TricklingClient {
 public:
  TricklingClient(const std::string& source, int port, const std::string& start) : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    sockaddr_in from{}, to{};
    from.sin_family = to.sin_family = AF_INET;
    ::inet_pton(AF_INET, source.c_str(), &from.sin_addr);
    ::inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
    to.sin_port = htons(static_cast<std::uint16_t>(port));
    connected_ = ::bind(fd_.get(), reinterpret_cast<sockaddr*>(&from), sizeof from) == 0 &&
                 ::connect(fd_.get(), reinterpret_cast<sockaddr*>(&to), sizeof to) == 0;
    if (connected_) send(start);
  }
  bool connected() const { return connected_; }
  void trickle() {
    if (!closed()) send("x");
  }
  /// True once the server has closed (or shut down) its end.
  bool closed() {
    if (closed_at_) return true;
    pollfd p{fd_.get(), POLLIN | POLLRDHUP, 0};
    char byte;
    if (::poll(&p, 1, 0) > 0 && ::recv(fd_.get(), &byte, 1, MSG_DONTWAIT | MSG_PEEK) <= 0) closed_at_ = Clock::now();
    return closed_at_.has_value();
  }
  std::optional<Clock::time_point> closed_at() const { return closed_at_; }

 private:
  void send(const std::string& bytes) {
    if (::send(fd_.get(), bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT) < 0 && errno != EAGAIN) closed_at_ = Clock::now();
  }
  UniqueFd fd_;
  bool connected_ = false;
  std::optional<Clock::time_point> closed_at_;
};

// How long GET `path` takes to be answered (from 127.0.0.1), or nullopt past `limit`.
std::optional<milliseconds> answer_time(const ServerProcess& server, const std::string& path, seconds limit) {
  const auto start = Clock::now();
  try {
    Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(server.port()));
    session.setTimeout(Poco::Timespan(limit.count(), 0));
    Poco::Net::HTTPRequest request("GET", path, Poco::Net::HTTPMessage::HTTP_1_1);
    request.set("Authorization", std::string("Bearer ") + kToken);
    session.sendRequest(request);
    Poco::Net::HTTPResponse response;
    std::string body;
    Poco::StreamCopier::copyToString(session.receiveResponse(response), body);
    if (response.getStatus() != 200) return std::nullopt;
  } catch (const std::exception&) {
    return std::nullopt;
  }
  return std::chrono::duration_cast<milliseconds>(Clock::now() - start);
}

std::vector<std::unique_ptr<TricklingClient>> connect_all(int count, const std::function<std::string(int)>& source, int port,
                                                          const std::string& start) {
  std::vector<std::unique_ptr<TricklingClient>> out;
  for (int i = 0; i < count; ++i) {
    out.push_back(std::make_unique<TricklingClient>(source(i), port, start));
    EXPECT_TRUE(out.back()->connected()) << source(i);
  }
  return out;
}

int count_closed(std::vector<std::unique_ptr<TricklingClient>>& clients) {
  int n = 0;
  for (auto& c : clients) n += c->closed();
  return n;
}

}  // namespace

TEST(ServerSlowClients, EightyTricklingConnectionsFromOneAddressLeaveHealthzAndTheApiAnswering) {
  TempDir dir("kiln-server-slowloris");
  // A long header deadline: here the bound per client address is what keeps threads free.
  ServerProcess server(dir.path() / "data", {.extra = {{"header_timeout", "120"}}});
  auto clients = connect_all(80, [](int) { return "127.0.0.2"; }, server.port(), "G");
  milliseconds slowest{0};
  for (const auto until = Clock::now() + seconds(5); Clock::now() < until;) {
    for (auto& c : clients) c->trickle();
    for (const char* path : {"/healthz", "/v1/builds"}) {
      const auto took = answer_time(server, path, seconds(3));
      ASSERT_TRUE(took.has_value()) << path << " did not answer within 3 s under the attack";
      slowest = std::max(slowest, *took);
    }
    std::this_thread::sleep_for(milliseconds(400));
  }
  EXPECT_LT(slowest, milliseconds(1000));
  // The server closed all but max_connections_per_client (16) of them at once.
  EXPECT_EQ(count_closed(clients), 80 - 16);
}

TEST(ServerSlowClients, HeadersThatDoNotArriveWithinHeaderTimeoutCloseTheConnection) {
  TempDir dir("kiln-server-slow-headers");
  ServerProcess server(dir.path() / "data", {.extra = {{"header_timeout", "2"}}});
  // Each from its own address, so the bound per address does not help: more than the server's 64 threads.
  const auto started = Clock::now();
  auto clients = connect_all(80, [](int i) { return "127.0.1." + std::to_string(i + 1); }, server.port(),
                             "GET /healthz HTTP/1.1\r\nHost: x\r\n");
  std::optional<milliseconds> healthz;
  std::thread probe([&] { healthz = answer_time(server, "/healthz", seconds(10)); });
  for (const auto until = started + seconds(6); Clock::now() < until && count_closed(clients) < 80;) {
    for (auto& c : clients) c->trickle();
    std::this_thread::sleep_for(milliseconds(300));
  }
  probe.join();
  ASSERT_EQ(count_closed(clients), 80) << "connections that trickle their headers must be closed";
  for (auto& c : clients) EXPECT_LT(*c->closed_at() - started, milliseconds(4500));
  // Queued behind the 64 served ones, /healthz is answered once their deadline frees the threads.
  ASSERT_TRUE(healthz.has_value());
  EXPECT_LT(*healthz, milliseconds(4500));
}

TEST(ServerSlowClients, ABodyBelowTheMinimumRateAfterBodyTimeoutClosesTheConnection) {
  TempDir dir("kiln-server-slow-body");
  ServerProcess server(dir.path() / "data", {.extra = {{"body_timeout", "2"}, {"body_min_rate", "65536"}}});
  const std::string upload = std::string("POST /v1/contexts HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ") + kToken +
                             "\r\nContent-Type: application/x-tar\r\nContent-Length: 10000000\r\n\r\n";
  // Unauthenticated: the server reads (part of) the body before it answers 401.
  const std::string anonymous = "POST /v1/builds HTTP/1.1\r\nHost: x\r\nContent-Length: 5000000\r\n\r\n";
  const auto started = Clock::now();
  std::vector<std::unique_ptr<TricklingClient>> clients;
  clients.push_back(std::make_unique<TricklingClient>("127.0.0.3", server.port(), upload));
  clients.push_back(std::make_unique<TricklingClient>("127.0.0.4", server.port(), anonymous));
  for (const auto until = started + seconds(6); Clock::now() < until && count_closed(clients) < 2;) {
    for (auto& c : clients) c->trickle();
    std::this_thread::sleep_for(milliseconds(200));
  }
  ASSERT_EQ(count_closed(clients), 2) << "bodies that trickle must be cut off";
  for (auto& c : clients) {
    EXPECT_GT(*c->closed_at() - started, milliseconds(1800)) << "the grace of body_timeout comes first";
    EXPECT_LT(*c->closed_at() - started, milliseconds(3500));
  }
  EXPECT_TRUE(answer_time(server, "/healthz", seconds(2)).has_value());
}

}  // namespace kiln::testing
