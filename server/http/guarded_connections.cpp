#include "server/http/guarded_connections.h"

#include <Poco/Net/HTTPServerConnection.h>
#include <spdlog/spdlog.h>

#include <memory>

namespace kiln::server {
namespace {

class GuardedConnection final : public Poco::Net::TCPServerConnection {
 public:
  GuardedConnection(const Poco::Net::StreamSocket& socket, std::unique_ptr<Poco::Net::TCPServerConnection> http,
                    ConnectionWatchdog& watchdog)
      : TCPServerConnection(socket), http_(std::move(http)), watchdog_(watchdog) {}

  void run() override {
    const auto watch = watchdog_.watch(socket());
    if (!watch) {
      spdlog::debug("refused a connection from {}: it holds max_connections_per_client already", client_address(socket()));
      return;  // the socket closes with this connection
    }
    try {
      http_->run();
    } catch (const std::exception& e) {
      // A connection reset or shut down by the watchdog: nothing to answer any more.
      spdlog::debug("connection from {} ended: {}", client_address(socket()), e.what());
    }
  }

 private:
  std::unique_ptr<Poco::Net::TCPServerConnection> http_;
  ConnectionWatchdog& watchdog_;
};

}  // namespace

GuardedConnectionFactory::GuardedConnectionFactory(Poco::Net::HTTPServerParams::Ptr params,
                                                   Poco::Net::HTTPRequestHandlerFactory::Ptr handlers,
                                                   ConnectionWatchdog& watchdog)
    : params_(std::move(params)), handlers_(std::move(handlers)), watchdog_(watchdog) {}

Poco::Net::TCPServerConnection* GuardedConnectionFactory::createConnection(const Poco::Net::StreamSocket& socket) {
  return new GuardedConnection(socket, std::make_unique<Poco::Net::HTTPServerConnection>(socket, params_, handlers_), watchdog_);
}

bool AcceptFilter::accept(const Poco::Net::StreamSocket& socket) { return watchdog_.accepted(socket); }

}  // namespace kiln::server
