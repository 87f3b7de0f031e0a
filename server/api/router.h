#pragma once
// Poco's handler factory: one handler per request that checks the bearer token, the rate limit
// and the method/path, then calls the resource's handler; every failure becomes a JSON error.
#include <Poco/Net/HTTPRequestHandlerFactory.h>

#include "server/api/api_context.h"

namespace kiln::server {

class Router final : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit Router(ApiContext& context) : context_(context) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest& request) override;

 private:
  ApiContext& context_;
};

}  // namespace kiln::server
