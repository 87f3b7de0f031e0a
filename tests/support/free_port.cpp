#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>

#include "tests/support/local_registry.h"

namespace kiln::testing {

int free_port() {
  // The kernel picks an unused port; it is released at once for the service to bind.
  Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
  return socket.address().port();
}

}  // namespace kiln::testing
