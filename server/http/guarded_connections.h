#pragma once
// Poco's HTTP connections, each watched by the ConnectionWatchdog for as long as it is served,
// and refused at once when its client address holds too many already.
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/TCPServer.h>
#include <Poco/Net/TCPServerConnectionFactory.h>

#include "server/http/connection_watchdog.h"

namespace kiln::server {

/// Makes Poco's HTTPServerConnection for each socket, wrapped so the watchdog sees it.
class GuardedConnectionFactory final : public Poco::Net::TCPServerConnectionFactory {
 public:
  GuardedConnectionFactory(Poco::Net::HTTPServerParams::Ptr params, Poco::Net::HTTPRequestHandlerFactory::Ptr handlers,
                           ConnectionWatchdog& watchdog);
  Poco::Net::TCPServerConnection* createConnection(const Poco::Net::StreamSocket& socket) override;

 private:
  Poco::Net::HTTPServerParams::Ptr params_;
  Poco::Net::HTTPRequestHandlerFactory::Ptr handlers_;
  ConnectionWatchdog& watchdog_;
};

/// Tells the watchdog of each connection as it is accepted, and refuses it there when its
/// client address is at its limit already.
class AcceptFilter final : public Poco::Net::TCPServerConnectionFilter {
 public:
  explicit AcceptFilter(ConnectionWatchdog& watchdog) : watchdog_(watchdog) {}
  bool accept(const Poco::Net::StreamSocket& socket) override;

 private:
  ConnectionWatchdog& watchdog_;
};

}  // namespace kiln::server
