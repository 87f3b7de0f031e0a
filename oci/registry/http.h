#pragma once
// The HTTP vocabulary of the registry client: one request and response shape shared by every
// Transport layer (session, auth), so each layer is a decorator over the one below.
#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "oci/registry/client.h"

namespace kiln::oci {

struct HttpResponse;

struct HttpRequest {
  std::string method;  ///< "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"
  std::string url;     ///< absolute: scheme://host[:port]/path[?query]
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;                    ///< sent when `source` is null
  const BlobSource* source = nullptr;  ///< streamed body, opened afresh for every send
  /// A body produced while it is sent, with chunked transfer encoding: the function calls
  /// its argument with each piece. It can be sent only once, so a stale kept-alive
  /// connection is not retried with it.
  std::function<void(const std::function<void(const char* data, std::size_t size)>& send)> stream_body;
  /// Bearer scopes this request needs ("repository:team/app:push,pull"); unused by Basic.
  std::vector<std::string> scopes;
  /// Receives a 2xx body as it arrives instead of buffering it; non-2xx bodies are always buffered.
  std::function<void(const char* data, std::size_t size)> on_body;
  /// With on_body: sees a 2xx response's status and headers before its body reaches on_body
  /// (a resumed download must know whether it got a 206 or the whole blob again).
  std::function<void(const HttpResponse& head)> on_headers;
  /// Largest 2xx body buffered in memory; larger throws RegistryError.
  std::size_t max_body = 64 * 1024;

  /// A request with everything else defaulted.
  static HttpRequest to(std::string method, std::string url);
  void set_header(const std::string& name, std::string value);
  void remove_header(const std::string& name);
  std::optional<std::string> header(const std::string& name) const;
};

struct HttpResponse {
  int status = 0;
  std::string reason;
  std::map<std::string, std::string> headers;  ///< lower-case names; repeated headers joined by ", "
  std::string body;   ///< buffered body (error bodies: at most 64 KiB)
  std::string url;    ///< the URL that answered, after redirects

  std::optional<std::string> header(const std::string& name) const;
  bool ok() const { return status >= 200 && status < 300; }
};

/// One layer of the stack. Throws RegistryError for network and TLS failures; HTTP error
/// statuses come back as responses, for the layer that knows the operation to explain.
class Transport {
 public:
  virtual ~Transport() = default;
  virtual HttpResponse send(const HttpRequest& request) = 0;
};

/// "scheme://host:port" of an absolute URL, with the default port made explicit; used to
/// decide whether a credential may travel with a request.
std::string url_origin(const std::string& url);
/// The URL without its query: what error messages and logs show (upload `_state` is long and opaque).
std::string url_for_display(const std::string& url);
/// `url` resolved against `base` (an upload Location or redirect may be relative).
std::string resolve_url(const std::string& base, const std::string& reference);
/// Appends `name=value` (value percent-encoded) with '?' or '&' as the URL needs.
std::string append_query(const std::string& url, const std::string& name, const std::string& value);

}  // namespace kiln::oci
