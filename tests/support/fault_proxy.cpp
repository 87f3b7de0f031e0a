#include "tests/support/fault_proxy.h"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/NullStream.h>
#include <Poco/StreamCopier.h>
#include <Poco/String.h>
#include <Poco/ThreadPool.h>
#include <Poco/URI.h>
#include <fmt/format.h>
#include <re2/re2.h>

#include <linux/sockios.h>
#include <sys/ioctl.h>

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace kiln::testing {
namespace {

constexpr std::chrono::milliseconds kMaxStall{30000};

struct ActiveRule {
  FaultRule rule;
  std::unique_ptr<RE2> path;
  int matches = 0;
  int acted = 0;
};

// Headers that describe one hop's connection, not the message: the proxy sets its own.
bool hop_by_hop(const std::string& name) {
  for (const char* h : {"connection", "keep-alive", "transfer-encoding", "content-length", "proxy-connection", "te",
                        "trailer", "upgrade", "proxy-authenticate", "proxy-authorization"})
    if (Poco::icompare(name, h) == 0) return true;
  return false;
}

std::string error_body(int status) {
  const char* code = status == 429 ? "TOOMANYREQUESTS" : status == 503 ? "UNAVAILABLE" : "UNKNOWN";
  return fmt::format(R"({{"errors":[{{"code":"{}","message":"fault injected by the test proxy"}}]}})", code);
}

// Closes the client's connection with RST (SO_LINGER 0), as a crashed peer or a middlebox would.
// An RST throws away whatever is still in our send queue, so the bytes already written are
// first given (a bounded) time to reach the client: then "half the body" is what it receives,
// and a test can count on it.
void abort_connection(Poco::Net::HTTPServerRequest& request) {
  Poco::Net::StreamSocket& socket = static_cast<Poco::Net::HTTPServerRequestImpl&>(request).socket();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  for (int unsent = 1; unsent > 0 && std::chrono::steady_clock::now() < deadline;) {
    if (ioctl(socket.impl()->sockfd(), SIOCOUTQ, &unsent) != 0) break;
    if (unsent > 0) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  socket.setLinger(true, 0);
  socket.close();
}

}  // namespace

struct FaultProxy::State {
  std::string upstream;
  std::string upstream_host;
  Poco::UInt16 upstream_port = 0;
  std::string self;

  mutable std::mutex mutex;
  std::condition_variable stopped_changed;
  bool stopping = false;
  std::vector<ActiveRule> rules;
  std::vector<ProxiedRequest> log;

  std::unique_ptr<Poco::ThreadPool> pool;
  std::unique_ptr<Poco::Net::HTTPServer> server;

  // Records the request and picks the first rule that acts on it.
  std::pair<std::size_t, std::optional<FaultRule>> arrive(const std::string& method, const std::string& path,
                                                          const std::string& query, const std::string& range,
                                                          const std::string& authorization) {
    std::lock_guard lock(mutex);
    std::optional<FaultRule> chosen;
    for (ActiveRule& r : rules) {
      if (!r.rule.method.empty() && r.rule.method != method) continue;
      if (!RE2::FullMatch(path, *r.path)) continue;
      ++r.matches;
      if (chosen || r.matches < r.rule.nth) continue;
      if (r.rule.times != FaultRule::kAlways && r.acted >= r.rule.times) continue;
      ++r.acted;
      chosen = r.rule;
    }
    log.push_back(ProxiedRequest{.method = method, .path = path, .query = query, .status = -1,
                                 .faulted = chosen.has_value(), .range = range, .authorization = authorization});
    return {log.size() - 1, chosen};
  }

  void finish(std::size_t index, int status, std::int64_t bytes_sent = 0) {
    std::lock_guard lock(mutex);
    if (index < log.size()) {
      log[index].status = status;
      log[index].bytes_sent = bytes_sent;
    }
  }

  bool is_stopping() const {
    std::lock_guard lock(mutex);
    return stopping;
  }

  // False when the proxy is stopping before `duration` has passed.
  bool wait(std::chrono::milliseconds duration) {
    std::unique_lock lock(mutex);
    return !stopped_changed.wait_for(lock, std::min(duration, kMaxStall), [&] { return stopping; });
  }

  std::string rewrite_location(std::string value) const {
    for (std::size_t at = value.find(upstream); at != std::string::npos; at = value.find(upstream, at + self.size()))
      value.replace(at, upstream.size(), self);
    return value;
  }

  // Sends the request on to the registry and returns its answer; the body streams through.
  // With `body` set, the answer's body is read into it instead of being streamed to the client.
  int forward(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response, std::string* body,
              bool drop_range = false) {
    Poco::Net::HTTPClientSession session(upstream_host, upstream_port);
    session.setTimeout(Poco::Timespan(60, 0));
    Poco::Net::HTTPRequest out(request.getMethod(), request.getURI(), Poco::Net::HTTPMessage::HTTP_1_1);
    for (const auto& [name, value] : request)
      if (!hop_by_hop(name) && !(drop_range && Poco::icompare(name, "range") == 0)) out.add(name, value);
    if (request.getChunkedTransferEncoding()) out.setChunkedTransferEncoding(true);
    else if (request.hasContentLength()) out.setContentLength64(request.getContentLength64());
    std::ostream& to_registry = session.sendRequest(out);
    Poco::StreamCopier::copyStream64(request.stream(), to_registry);
    to_registry.flush();

    Poco::Net::HTTPResponse answer;
    std::istream& from_registry = session.receiveResponse(answer);
    response.setStatusAndReason(answer.getStatus(), answer.getReason());
    for (const auto& [name, value] : answer)
      if (!hop_by_hop(name)) response.add(name, Poco::icompare(name, "location") == 0 ? rewrite_location(value) : value);
    if (answer.getChunkedTransferEncoding()) response.setChunkedTransferEncoding(true);
    else if (answer.hasContentLength()) response.setContentLength64(answer.getContentLength64());
    else response.setKeepAlive(false);
    if (body) {
      Poco::StreamCopier::copyToString64(from_registry, *body);
    } else {
      std::ostream& to_client = response.send();
      Poco::StreamCopier::copyStream64(from_registry, to_client);
      to_client.flush();
    }
    return static_cast<int>(answer.getStatus());
  }
};

namespace {

class FaultHandler final : public Poco::Net::HTTPRequestHandler {
  static void drain(Poco::Net::HTTPServerRequest& request) {
    Poco::NullOutputStream discard;
    Poco::StreamCopier::copyStream64(request.stream(), discard);
  }

  // Sends `bytes`, `step` at a time with `interval` between, straight to the socket (after
  // whatever Poco has sent); stops at the end, when the proxy stops, or after kMaxTrickle.
  void trickle(Poco::Net::StreamSocket& socket, const std::string& bytes, std::size_t step,
               std::chrono::milliseconds interval, std::int64_t& sent) {
    const auto give_up = std::chrono::steady_clock::now() + FaultRule::kMaxTrickle;
    for (std::size_t at = 0; at < bytes.size() && std::chrono::steady_clock::now() < give_up;) {
      const std::size_t n = std::min(std::max<std::size_t>(step, 1), bytes.size() - at);
      if (socket.sendBytes(bytes.data() + at, static_cast<int>(n)) <= 0) return;
      at += n;
      sent += static_cast<std::int64_t>(n);
      if (at < bytes.size() && !state_->wait(interval)) return;
    }
  }

 public:
  explicit FaultHandler(std::shared_ptr<FaultProxy::State> state) : state_(std::move(state)) {}

  void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override {
    const Poco::URI uri(request.getURI());
    auto [index, fault] = state_->arrive(request.getMethod(), uri.getPath(), uri.getRawQuery(),
                                         request.get("Range", ""), request.get("Authorization", ""));
    if (!fault) {
      state_->finish(index, state_->forward(request, response, nullptr));
      return;
    }
    switch (fault->action) {
      case FaultAction::reset_request_body: {
        // Half of a known length, else whatever of a chunked body the first read brings.
        const std::streamsize half =
            request.hasContentLength() ? static_cast<std::streamsize>(request.getContentLength64() / 2) : 64 * 1024;
        std::string part(static_cast<std::size_t>(std::max<std::streamsize>(half, 1)), '\0');
        if (half > 0) request.stream().read(part.data(), half);
        state_->finish(index, 0);
        abort_connection(request);
        return;
      }
      case FaultAction::reset_response_body: {
        std::string body;
        state_->forward(request, response, &body);
        response.setContentLength64(static_cast<Poco::Int64>(body.size()));
        std::ostream& out = response.send();
        out.write(body.data(), static_cast<std::streamsize>(body.size() / 2));
        out.flush();
        state_->finish(index, 0);
        abort_connection(request);
        return;
      }
      case FaultAction::status: {
        Poco::NullOutputStream discard;
        Poco::StreamCopier::copyStream64(request.stream(), discard);
        response.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(fault->status));
        if (fault->retry_after) response.set("Retry-After", std::to_string(*fault->retry_after));
        response.setContentType("application/json");
        const std::string body = fault->body.empty() ? error_body(fault->status) : fault->body;
        response.sendBuffer(body.data(), body.size());
        state_->finish(index, fault->status);
        return;
      }
      case FaultAction::corrupt_body: {
        std::string body;
        const int status = state_->forward(request, response, &body);
        // A flipped byte, not a truncation: the transfer is complete and only the digest can tell.
        if (!body.empty()) body[body.size() / 2] = static_cast<char>(body[body.size() / 2] ^ 0x5a);
        response.setContentLength64(static_cast<Poco::Int64>(body.size()));
        response.sendBuffer(body.data(), body.size());
        state_->finish(index, status);
        return;
      }
      case FaultAction::serve_body: {
        Poco::NullOutputStream discard;
        Poco::StreamCopier::copyStream64(request.stream(), discard);
        response.setStatus(Poco::Net::HTTPResponse::HTTP_OK);
        response.setContentType(fault->content_type);
        response.setContentLength64(static_cast<Poco::Int64>(fault->body.size()));
        if (request.getMethod() == "HEAD") response.send();
        else response.sendBuffer(fault->body.data(), fault->body.size());
        state_->finish(index, 200);
        return;
      }
      case FaultAction::endless_body: {
        std::string real;
        state_->forward(request, response, &real);
        response.setStatus(Poco::Net::HTTPResponse::HTTP_OK);
        response.setContentType("application/octet-stream");
        response.setContentLength64(Poco::Net::HTTPMessage::UNKNOWN_CONTENT_LENGTH);
        response.setChunkedTransferEncoding(true);
        std::ostream& out = response.send();
        out.write(real.data(), static_cast<std::streamsize>(real.size()));
        const std::string block(64 * 1024, 'k');
        std::int64_t sent = static_cast<std::int64_t>(real.size());
        while (sent < FaultRule::kMaxEndless && !state_->is_stopping()) {
          out.write(block.data(), static_cast<std::streamsize>(block.size()));
          out.flush();
          if (!out) break;  // the client hung up
          sent += static_cast<std::int64_t>(block.size());
        }
        state_->finish(index, 200, sent);
        abort_connection(request);
        return;
      }
      case FaultAction::trickle_headers: {
        drain(request);
        Poco::Net::StreamSocket& socket = static_cast<Poco::Net::HTTPServerRequestImpl&>(request).socket();
        const std::string head = "HTTP/1.1 200 OK\r\nX-Trickle: ";
        std::int64_t sent = 0;
        try {
          socket.sendBytes(head.data(), static_cast<int>(head.size()));
          trickle(socket, std::string(1 << 20, 'x'), fault->trickle_bytes, fault->interval, sent);
        } catch (const Poco::Exception&) {  // the client hung up
        }
        state_->finish(index, 0, sent);
        abort_connection(request);
        return;
      }
      case FaultAction::trickle_body: {
        std::string body;
        const int status = state_->forward(request, response, &body);
        response.setContentLength64(static_cast<Poco::Int64>(body.size()));
        response.send().flush();
        Poco::Net::StreamSocket& socket = static_cast<Poco::Net::HTTPServerRequestImpl&>(request).socket();
        std::int64_t sent = 0;
        try {
          trickle(socket, body, fault->trickle_bytes, fault->interval, sent);
        } catch (const Poco::Exception&) {
        }
        state_->finish(index, sent == static_cast<std::int64_t>(body.size()) ? status : 0, sent);
        abort_connection(request);
        return;
      }
      case FaultAction::ignore_range:
        state_->finish(index, state_->forward(request, response, nullptr, /*drop_range=*/true));
        return;
      case FaultAction::stall:
        if (!state_->wait(fault->stall)) {
          state_->finish(index, 0);
          abort_connection(request);
          return;
        }
        state_->finish(index, state_->forward(request, response, nullptr));
        return;
    }
  }

 private:
  std::shared_ptr<FaultProxy::State> state_;
};

class FaultHandlerFactory final : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit FaultHandlerFactory(std::shared_ptr<FaultProxy::State> state) : state_(std::move(state)) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
    return new FaultHandler(state_);
  }

 private:
  std::shared_ptr<FaultProxy::State> state_;
};

}  // namespace

FaultProxy::FaultProxy(std::string upstream) : state_(std::make_shared<State>()) {
  State& s = *state_;
  s.upstream = std::move(upstream);
  const auto colon = s.upstream.rfind(':');
  if (colon == std::string::npos) throw std::invalid_argument("FaultProxy: upstream must be host:port");
  s.upstream_host = s.upstream.substr(0, colon);
  s.upstream_port = static_cast<Poco::UInt16>(std::stoi(s.upstream.substr(colon + 1)));

  Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
  s.self = fmt::format("127.0.0.1:{}", socket.address().port());
  Poco::Net::HTTPServerParams::Ptr params(new Poco::Net::HTTPServerParams);
  params->setMaxThreads(32);
  params->setMaxQueued(64);
  params->setKeepAlive(true);
  params->setMaxKeepAliveRequests(10000);
  params->setKeepAliveTimeout(Poco::Timespan(10, 0));
  params->setTimeout(Poco::Timespan(60, 0));
  s.pool = std::make_unique<Poco::ThreadPool>(2, 32);
  s.server = std::make_unique<Poco::Net::HTTPServer>(Poco::Net::HTTPRequestHandlerFactory::Ptr(new FaultHandlerFactory(state_)), *s.pool, socket,
                                                     params);
  s.server->start();
}

FaultProxy::~FaultProxy() {
  State& s = *state_;
  {
    std::lock_guard lock(s.mutex);
    s.stopping = true;
  }
  s.stopped_changed.notify_all();
  s.server->stopAll(true);
  s.server.reset();
  s.pool->joinAll();
  s.pool.reset();
}

std::string FaultProxy::host() const { return state_->self; }

void FaultProxy::add(FaultRule rule) {
  auto path = std::make_unique<RE2>(rule.path);
  if (!path->ok()) throw std::invalid_argument("FaultProxy: bad path pattern " + rule.path);
  std::lock_guard lock(state_->mutex);
  state_->rules.push_back(ActiveRule{.rule = std::move(rule), .path = std::move(path)});
}

void FaultProxy::reset() {
  std::lock_guard lock(state_->mutex);
  state_->rules.clear();
  state_->log.clear();
}

std::vector<ProxiedRequest> FaultProxy::log() const {
  std::lock_guard lock(state_->mutex);
  return state_->log;
}

std::vector<ProxiedRequest> FaultProxy::settled_log(std::chrono::milliseconds limit) const {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {
    std::vector<ProxiedRequest> now = log();
    const bool running = std::any_of(now.begin(), now.end(), [](const ProxiedRequest& r) { return r.status == -1; });
    if (!running || std::chrono::steady_clock::now() >= deadline) return now;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

}  // namespace kiln::testing
