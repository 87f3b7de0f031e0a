#pragma once
// Small helpers every handler shares: JSON and error responses, and reading a body under the
// configured size limit.
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include <cstdint>
#include <stdexcept>
#include <string>

#include "oci/json.h"

namespace kiln::server {

/// A request the API refuses: carries the HTTP status and a message for the client.
class ApiError : public std::runtime_error {
 public:
  ApiError(int status, const std::string& message) : std::runtime_error(message), status_(status) {}
  int status() const { return status_; }

 private:
  int status_;
};

void send_json(Poco::Net::HTTPServerResponse& response, int status, const oci::Json& body);
/// {"error": message}
void send_error(Poco::Net::HTTPServerResponse& response, int status, const std::string& message);
/// The next part of the body, up to `size` bytes into `buffer` (0 at its end), for a handler that
/// streams it; `read_so_far` is what the earlier calls returned in all. Throws ApiError(413) past
/// `limit` bytes (by Content-Length before reading). Keeps the connection's body deadline.
std::size_t read_body_chunk(Poco::Net::HTTPServerRequest& request, char* buffer, std::size_t size, std::int64_t limit,
                            std::int64_t read_so_far);
/// The whole body; throws ApiError(413) past `limit` bytes (by Content-Length before reading).
std::string read_body(Poco::Net::HTTPServerRequest& request, std::int64_t limit);
/// The body parsed as JSON; ApiError(400) with the parser's reason when it is not.
oci::Json read_json_body(Poco::Net::HTTPServerRequest& request, std::int64_t limit);

}  // namespace kiln::server
