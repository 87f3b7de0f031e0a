#pragma once
// The bottom of the transport stack: HTTP(S) over Poco::Net with one keep-alive session per
// origin, TLS that checks the host name, and redirects followed by hand (Poco does not), never
// carrying Authorization to another host.
#include <chrono>
#include <map>
#include <memory>
#include <string>

#include "oci/registry/deadline_watchdog.h"
#include "oci/registry/http.h"

namespace Poco::Net {
class HTTPClientSession;
}

namespace kiln::oci {

struct SessionOptions {
  std::string ca_file;  ///< extra trusted PEM bundle for https
  /// The deadline of one exchange (connect, request, response headers and body), and the
  /// longest wait for any single byte. Blob bodies (a download given to on_body, an upload
  /// from `source` or `stream_body`) get one more second per `min_blob_rate` bytes moved.
  std::chrono::milliseconds timeout{RegistryOptions::kDefaultTimeout};
  std::int64_t min_blob_rate = RegistryOptions::kDefaultMinBlobRate;  ///< bytes per second
  bool verify_tls = true;  ///< false: any certificate is accepted (RegistryOptions::verify_tls)
};

class SessionTransport final : public Transport {
 public:
  explicit SessionTransport(SessionOptions options);
  ~SessionTransport() override;
  HttpResponse send(const HttpRequest& request) override;

 private:
  HttpResponse exchange(const HttpRequest& request, const std::string& url);
  HttpResponse exchange_on(Poco::Net::HTTPClientSession& session, const HttpRequest& request, const std::string& url,
                           bool& body_started);
  struct Deadline;  ///< one exchange's deadline and the blob bytes that extended it
  HttpResponse exchange_within(Poco::Net::HTTPClientSession& session, const HttpRequest& request,
                               const std::string& url, bool& body_started, Deadline& deadline);
  Poco::Net::HTTPClientSession& session_for(const std::string& url, bool& reused);
  void drop_session(const std::string& url);

  SessionOptions options_;
  DeadlineWatchdog watchdog_;
  std::map<std::string, std::unique_ptr<Poco::Net::HTTPClientSession>> sessions_;  ///< by origin
};

}  // namespace kiln::oci
