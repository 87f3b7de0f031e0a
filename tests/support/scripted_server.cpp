#include "tests/support/scripted_server.h"

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/NullStream.h>
#include <Poco/StreamCopier.h>
#include <fmt/format.h>

#include <mutex>
#include <stdexcept>

#include "core/process.h"
#include "core/temp_dir.h"

namespace kiln::testing {

struct ScriptedServer::State {
  Script script;
  TempDir dir{"kiln-scripted-server"};
  int port = 0;
  mutable std::mutex mutex;
  std::vector<ScriptedRequest> requests;
  std::unique_ptr<Poco::Net::HTTPServer> server;
};

namespace {

class ScriptedHandler final : public Poco::Net::HTTPRequestHandler {
 public:
  explicit ScriptedHandler(std::shared_ptr<ScriptedServer::State> state) : state_(std::move(state)) {}
  void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override {
    Poco::NullOutputStream discard;
    Poco::StreamCopier::copyStream64(request.stream(), discard);
    const ScriptedRequest seen{.method = request.getMethod(), .uri = request.getURI(),
                               .authorization = request.get("Authorization", "")};
    {
      std::lock_guard lock(state_->mutex);
      state_->requests.push_back(seen);
    }
    const ScriptedAnswer answer = state_->script(seen);
    response.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(answer.status));
    for (const auto& [name, value] : answer.headers) response.set(name, value);
    response.setContentLength64(static_cast<Poco::Int64>(answer.body.size()));
    if (request.getMethod() == "HEAD") response.send();
    else response.sendBuffer(answer.body.data(), answer.body.size());
  }

 private:
  std::shared_ptr<ScriptedServer::State> state_;
};

class ScriptedFactory final : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit ScriptedFactory(std::shared_ptr<ScriptedServer::State> state) : state_(std::move(state)) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
    return new ScriptedHandler(state_);
  }

 private:
  std::shared_ptr<ScriptedServer::State> state_;
};

}  // namespace

ScriptedServer::ScriptedServer(Scheme scheme, Script script) : state_(std::make_shared<State>()) {
  State& s = *state_;
  s.script = std::move(script);
  std::unique_ptr<Poco::Net::ServerSocket> socket;
  if (scheme == Scheme::https) {
    const auto key = s.dir.path() / "key.pem";
    const auto cert = s.dir.path() / "cert.pem";
    const ProcessResult made = run_process(
        {"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1", "-addext",
         "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout", key.string(), "-out", cert.string()},
        {.input = {}, .extra_env = {}, .working_dir = {}, .timeout = std::chrono::seconds(60)});
    if (made.exit_code != 0) throw std::runtime_error("ScriptedServer: openssl req failed: " + made.err);
    Poco::Net::initializeSSL();
    Poco::Net::Context::Ptr context(new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, key.string(),
                                                           cert.string(), "", Poco::Net::Context::VERIFY_NONE));
    socket = std::make_unique<Poco::Net::SecureServerSocket>(Poco::Net::SocketAddress("127.0.0.1", 0), 64, context);
  } else {
    socket = std::make_unique<Poco::Net::ServerSocket>(Poco::Net::SocketAddress("127.0.0.1", 0));
  }
  s.port = socket->address().port();
  Poco::Net::HTTPServerParams::Ptr params(new Poco::Net::HTTPServerParams);
  params->setMaxThreads(8);
  params->setKeepAlive(true);
  s.server = std::make_unique<Poco::Net::HTTPServer>(Poco::Net::HTTPRequestHandlerFactory::Ptr(new ScriptedFactory(state_)),
                                                     *socket, params);
  s.server->start();
}

ScriptedServer::~ScriptedServer() {
  state_->server->stopAll(true);
  state_->server.reset();
}

std::string ScriptedServer::host() const { return fmt::format("127.0.0.1:{}", state_->port); }
int ScriptedServer::port() const { return state_->port; }
std::filesystem::path ScriptedServer::ca_file() const { return state_->dir.path() / "cert.pem"; }

std::vector<ScriptedRequest> ScriptedServer::requests() const {
  std::lock_guard lock(state_->mutex);
  return state_->requests;
}

}  // namespace kiln::testing
