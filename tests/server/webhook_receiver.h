#pragma once
// A webhook receiver on 127.0.0.1 for the tests: records every request it gets and answers
// each from a script (status, headers, or no answer at all), then with a default answer.
// Written with Poco's HTTP server, not with kiln's code.
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/StreamCopier.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace kiln::testing {

struct ReceivedHook {
  std::string path;
  std::map<std::string, std::string> headers;
  std::string body;
  std::chrono::steady_clock::time_point at;
};

struct HookReply {
  int status = 200;
  std::map<std::string, std::string> headers;
  bool never_answer = false;  ///< read the request, then hold the connection without a word
};

/// PEM files of a receiver that speaks HTTPS.
struct ReceiverTls {
  std::string cert;
  std::string key;
};

class WebhookReceiver {
 public:
  explicit WebhookReceiver(const ReceiverTls* tls = nullptr)
      : scheme_(tls ? "https" : "http"), server_(new Factory(*this), listen(tls), params()) {
    server_.start();
  }
  ~WebhookReceiver() {
    {
      std::lock_guard lock(mutex_);
      released_ = true;
    }
    changed_.notify_all();
    server_.stopAll(true);
  }

  int port() const { return server_.socket().address().port(); }
  std::string url(const std::string& path = "/hook") const { return scheme_ + "://127.0.0.1:" + std::to_string(port()) + path; }
  /// Answers for the next requests, in order; then `fallback`.
  void script(std::vector<HookReply> replies, HookReply fallback = {}) {
    std::lock_guard lock(mutex_);
    script_.assign(replies.begin(), replies.end());
    fallback_ = fallback;
  }
  std::vector<ReceivedHook> received() const {
    std::lock_guard lock(mutex_);
    return received_;
  }
  /// Waits (bounded) until at least `n` requests have come.
  bool wait_for(std::size_t n, std::chrono::seconds limit) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, limit, [&] { return received_.size() >= n; });
  }

 private:
  static Poco::Net::ServerSocket listen(const ReceiverTls* tls) {
    const Poco::Net::SocketAddress address("127.0.0.1", 0);
    if (!tls) return Poco::Net::ServerSocket(address);
    Poco::Net::Context::Ptr context =
        new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, tls->key, tls->cert, "", Poco::Net::Context::VERIFY_NONE);
    return Poco::Net::SecureServerSocket(address, 64, context);
  }
  static Poco::Net::HTTPServerParams::Ptr params() {
    Poco::Net::HTTPServerParams::Ptr p = new Poco::Net::HTTPServerParams;
    p->setKeepAlive(false);
    p->setMaxThreads(8);
    return p;
  }

  void handle(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) {
    ReceivedHook hook;
    hook.path = request.getURI();
    for (const auto& [k, v] : request) hook.headers[k] = v;
    Poco::StreamCopier::copyToString(request.stream(), hook.body);
    hook.at = std::chrono::steady_clock::now();
    HookReply reply;
    {
      std::unique_lock lock(mutex_);
      received_.push_back(hook);
      if (!script_.empty()) {
        reply = script_.front();
        script_.pop_front();
      } else {
        reply = fallback_;
      }
      changed_.notify_all();
      if (reply.never_answer) {
        changed_.wait_for(lock, std::chrono::seconds(60), [&] { return released_; });
        return;
      }
    }
    response.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(reply.status));
    for (const auto& [k, v] : reply.headers) response.set(k, v);
    response.setContentType("text/plain");
    response.send() << "receiver says " << reply.status;
  }

  class Handler final : public Poco::Net::HTTPRequestHandler {
   public:
    explicit Handler(WebhookReceiver& owner) : owner_(owner) {}
    void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override {
      owner_.handle(request, response);
    }

   private:
    WebhookReceiver& owner_;
  };
  class Factory final : public Poco::Net::HTTPRequestHandlerFactory {
   public:
    explicit Factory(WebhookReceiver& owner) : owner_(owner) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override { return new Handler(owner_); }

   private:
    WebhookReceiver& owner_;
  };

  const std::string scheme_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<HookReply> script_;
  HookReply fallback_;
  std::vector<ReceivedHook> received_;
  bool released_ = false;
  Poco::Net::HTTPServer server_;
};

}  // namespace kiln::testing
