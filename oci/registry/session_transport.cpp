#include "oci/registry/session_transport.h"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SSLException.h>
#include <Poco/String.h>
#include <Poco/URI.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <vector>

#include "core/duration.h"
#include "oci/registry/error.h"
#include "oci/registry/tls.h"

namespace kiln::oci {
namespace {

// Poco's body streams (fixed-length and chunked) hand the socket 4 KiB at a time
// (HTTPBufferAllocator::BUFFER_SIZE), three writes per chunk when chunked and one TLS record
// each: for a layer that costs more than the registry's own ingest. Body bytes therefore go
// to the session's socket directly, in the caller's large blocks, after Poco has sent the
// request line and headers; Poco still ends a chunked body with its terminating chunk.
void send_all(Poco::Net::HTTPClientSession& session, const char* data, std::size_t size) {
  while (size > 0) {
    const int n = session.socket().sendBytes(data, static_cast<int>(std::min<std::size_t>(size, 1 << 30)));
    if (n <= 0) throw Poco::IOException("the connection closed while sending the request body");
    data += n;
    size -= static_cast<std::size_t>(n);
  }
}

void send_chunk(Poco::Net::HTTPClientSession& session, const char* data, std::size_t size) {
  if (size == 0) return;  // an empty chunk would end the body
  const std::string head = fmt::format("{:x}\r\n", size);
  send_all(session, head.data(), head.size());
  send_all(session, data, size);
  send_all(session, "\r\n", 2);
}

// "2m", "1500ms": a timeout as the setting is written.
std::string format_timeout(std::chrono::milliseconds timeout) {
  if (timeout.count() % 1000 != 0) return fmt::format("{}ms", timeout.count());
  return format_go_duration(std::chrono::duration_cast<std::chrono::seconds>(timeout));
}

constexpr int max_redirects = 10;
constexpr std::size_t max_error_body = 64 * 1024;

bool is_redirect(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

// Turns Poco's exceptions into the one error type, deciding here (where the cause is known)
// whether another attempt could succeed.
[[noreturn]] void rethrow_network(const std::string& method, const std::string& url) {
  const std::string where = fmt::format("{} {}", method, url_for_display(url));
  try {
    throw;
  } catch (const Poco::Net::SSLException& e) {
    throw RegistryError(0, {}, false,
                        fmt::format("{}: TLS handshake or session failed: {} (the server certificate must be signed "
                                    "by a trusted CA and valid for host '{}'; is the registry really serving https?)",
                                    where, e.displayText(), Poco::URI(url).getHost()));
  } catch (const Poco::Net::ConnectionRefusedException& e) {
    throw RegistryError(0, {}, false, fmt::format("{}: connection refused ({})", where, e.displayText()));
  } catch (const Poco::Net::HostNotFoundException& e) {
    throw RegistryError(0, {}, false, fmt::format("{}: host not found ({})", where, e.displayText()));
  } catch (const Poco::Net::NoAddressFoundException& e) {
    throw RegistryError(0, {}, false, fmt::format("{}: host not found ({})", where, e.displayText()));
  } catch (const Poco::TimeoutException& e) {
    // registry_timeout without a byte: as final as the exchange's deadline (see exchange_on).
    throw RegistryError(0, {}, false, fmt::format("{}: timed out: no byte for the registry_timeout ({})", where,
                                                  e.displayText()));
  } catch (const Poco::Exception& e) {
    // Resets, unexpected EOF (NoMessageException), broken pipes: the connection, not the request.
    throw RegistryError(0, {}, true, fmt::format("{}: connection failed: {}", where, e.displayText()));
  }
}

}  // namespace

SessionTransport::SessionTransport(SessionOptions options) : options_(std::move(options)) {}
SessionTransport::~SessionTransport() = default;

Poco::Net::HTTPClientSession& SessionTransport::session_for(const std::string& url, bool& reused) {
  const std::string origin = url_origin(url);
  auto it = sessions_.find(origin);
  reused = it != sessions_.end();
  if (reused) return *it->second;
  Poco::URI uri(url);
  std::unique_ptr<Poco::Net::HTTPClientSession> session;
  if (Poco::icompare(uri.getScheme(), "https") == 0)
    session = std::make_unique<Poco::Net::HTTPSClientSession>(uri.getHost(), uri.getPort(),
                                                              make_tls_context(uri.getHost(), options_.ca_file, options_.verify_tls));
  else
    session = std::make_unique<Poco::Net::HTTPClientSession>(uri.getHost(), uri.getPort());
  // Also bounds the connect and any single wait, which the watchdog cannot see before the
  // socket exists.
  session->setTimeout(Poco::Timespan(static_cast<Poco::Timespan::TimeDiff>(options_.timeout.count()) * 1000));
  session->setKeepAlive(true);
  return *sessions_.emplace(origin, std::move(session)).first->second;
}

void SessionTransport::drop_session(const std::string& url) { sessions_.erase(url_origin(url)); }

HttpResponse SessionTransport::send(const HttpRequest& original) {
  HttpRequest request = original;
  const std::string first_origin = url_origin(request.url);
  std::string url = request.url;
  for (int hop = 0;; ++hop) {
    HttpResponse response = exchange(request, url);
    auto location = response.header("location");
    if (!is_redirect(response.status) || !location || hop == max_redirects) return response;
    const std::string next = resolve_url(url, *location);
    spdlog::debug("redirect {} -> {}", url_for_display(url), url_for_display(next));
    // A credential belongs to the registry: object stores behind a redirect get pre-signed
    // URLs, and the distribution spec says Authorization MUST NOT follow to another host.
    if (url_origin(next) != first_origin) {
      request.remove_header("Authorization");
      // A body that would be sent again (not after a 303) is for the first origin only: a
      // token request's form carries the refresh token, and may not follow to another host
      // or down to plain http any more than the Authorization header may.
      if (response.status != 303 && !request.body.empty()) return response;
    }
    if (response.status == 303) {
      request.method = "GET";
      request.body.clear();
      request.source = nullptr;
    }
    url = next;
  }
}

HttpResponse SessionTransport::exchange(const HttpRequest& request, const std::string& url) {
  // A kept-alive connection the server has closed in the meantime fails on first use; that
  // says nothing about the request, so it is sent once more on a new connection (unless its
  // body had begun to go out and cannot be produced again).
  for (int attempt = 1;; ++attempt) {
    bool reused = false;
    bool body_started = false;
    try {
      auto& session = session_for(url, reused);
      return exchange_on(session, request, url, body_started);
    } catch (const RegistryError&) {
      drop_session(url);
      throw;
    } catch (const Poco::TimeoutException&) {
      drop_session(url);  // a stale connection fails at once; this one had its time
      rethrow_network(request.method, url);
    } catch (const Poco::Exception&) {
      drop_session(url);
      if (attempt > 1 || !reused || body_started) rethrow_network(request.method, url);
    }
  }
}

struct SessionTransport::Deadline {
  Deadline(DeadlineWatchdog& watchdog, const SessionOptions& options)
      : started(DeadlineWatchdog::Clock::now()), options(options), watch(watchdog, started + options.timeout) {}

  // Blob bytes moved either way: each buys 1/min_blob_rate of a second more.
  void moved(std::size_t bytes) {
    blob_bytes += static_cast<std::int64_t>(bytes);
    const std::chrono::duration<double> earned(static_cast<double>(blob_bytes) /
                                               static_cast<double>(std::max<std::int64_t>(1, options.min_blob_rate)));
    watch.extend_to(started + options.timeout + std::chrono::duration_cast<std::chrono::nanoseconds>(earned));
  }

  std::string describe() const {
    std::string text = fmt::format("the registry_timeout of {}", format_timeout(options.timeout));
    if (blob_bytes > 0)
      text += fmt::format(" plus 1 s per {} blob bytes moved ({} were)", options.min_blob_rate, blob_bytes);
    return text;
  }

  DeadlineWatchdog::Clock::time_point started;
  const SessionOptions& options;
  DeadlineWatchdog::Watch watch;
  std::int64_t blob_bytes = 0;
};

HttpResponse SessionTransport::exchange_on(Poco::Net::HTTPClientSession& session, const HttpRequest& request,
                                           const std::string& url, bool& body_started) {
  Deadline deadline(watchdog_, options_);
  // Not retried: another attempt would give a registry that trickles its bytes as much time
  // again, and the setting bounds the wait.
  const auto timed_out = [&] {
    drop_session(url);
    return RegistryError(0, {}, false,
                         fmt::format("{} {}: timed out: {} passed before the answer was complete", request.method,
                                     url_for_display(url), deadline.describe()));
  };
  try {
    HttpResponse response = exchange_within(session, request, url, body_started, deadline);
    // An answer that "ended" because the watchdog shut the connection is not an answer: Poco
    // takes the end of the stream in the middle of the headers for their end.
    if (deadline.watch.expired()) throw timed_out();
    return response;
  } catch (const Poco::Exception&) {
    if (!deadline.watch.expired()) throw;
    throw timed_out();
  }
}

HttpResponse SessionTransport::exchange_within(Poco::Net::HTTPClientSession& session, const HttpRequest& request,
                                               const std::string& url, bool& body_started, Deadline& deadline) {
  Poco::URI uri(url);
  Poco::Net::HTTPRequest req(request.method, uri.getPathEtc(), Poco::Net::HTTPMessage::HTTP_1_1);
  req.setKeepAlive(true);
  for (const auto& [name, value] : request.headers) req.set(name, value);
  std::unique_ptr<std::istream> source;
  if (request.source) {
    source = request.source->open();
    if (!source || !*source) throw RegistryError(0, {}, false, "cannot open the blob to upload");
    req.setContentLength64(request.source->size);
  } else if (request.stream_body) {
    req.setChunkedTransferEncoding(true);
  } else if (!request.body.empty() || request.method == "POST" || request.method == "PUT" ||
             request.method == "PATCH") {
    req.setContentLength64(static_cast<Poco::Int64>(request.body.size()));
  }
  SPDLOG_DEBUG("{} {}", request.method, url_for_display(url));

  deadline.watch.attach(session.socket().impl()->sockfd());  // a kept-alive connection: already open
  std::ostream& out = session.sendRequest(req);
  deadline.watch.attach(session.socket().impl()->sockfd());
  // With a Content-Length, Poco writes the request head into the body stream's buffer: it
  // must reach the socket before body bytes written to the socket directly.
  out.flush();
  if (source) {
    std::vector<char> buffer(1 << 20);
    std::int64_t sent = 0;
    while (*source && sent < request.source->size) {
      source->read(buffer.data(), static_cast<std::streamsize>(
                                      std::min<std::int64_t>(static_cast<std::int64_t>(buffer.size()),
                                                             request.source->size - sent)));
      send_all(session, buffer.data(), static_cast<std::size_t>(source->gcount()));
      sent += source->gcount();
      deadline.moved(static_cast<std::size_t>(source->gcount()));
    }
    if (sent != request.source->size)
      throw RegistryError(0, {}, false,
                          fmt::format("the blob to upload has {} bytes, expected {}", sent, request.source->size));
  } else if (request.stream_body) {
    body_started = true;
    request.stream_body([&](const char* data, std::size_t size) {
      send_chunk(session, data, size);
      deadline.moved(size);
    });
  } else {
    out.write(request.body.data(), static_cast<std::streamsize>(request.body.size()));
  }
  out.flush();
  if (!out) throw Poco::IOException("sending the request body failed");

  Poco::Net::HTTPResponse resp;
  std::istream& in = session.receiveResponse(resp);
  HttpResponse response;
  response.status = static_cast<int>(resp.getStatus());
  response.reason = resp.getReason();
  response.url = url;
  for (const auto& [name, value] : resp) {
    auto [it, inserted] = response.headers.emplace(Poco::toLower(name), value);
    if (!inserted) it->second += ", " + value;
  }
  spdlog::debug("{} {} -> {}", request.method, url_for_display(url), response.status);

  // A body cut short (a reset reaches the istream as badbit, an early close of a fixed-length
  // body as a plain end of file) is a failed connection, which the retry layer may repeat; a
  // short body handed up as a whole one would fail its digest check for good instead.
  const bool has_body = request.method != "HEAD" && response.status != 204 && response.status != 304;
  const std::int64_t expected = has_body && resp.hasContentLength() ? resp.getContentLength64() : -1;
  const auto check_complete = [&](std::int64_t received) {
    if (in.bad()) throw Poco::IOException("the connection failed while reading the response body");
    if (expected >= 0 && received < expected)
      throw Poco::IOException(fmt::format("the response body ended after {} of {} bytes", received, expected));
  };
  char buffer[64 * 1024];
  if (response.ok() && request.on_body) {
    if (request.on_headers) request.on_headers(response);
    std::int64_t received = 0;
    for (;;) {
      in.read(buffer, sizeof buffer);
      if (in.gcount() <= 0) break;
      body_started = true;
      received += in.gcount();
      deadline.moved(static_cast<std::size_t>(in.gcount()));
      request.on_body(buffer, static_cast<std::size_t>(in.gcount()));
    }
    check_complete(received);
    return response;
  }
  const std::size_t limit = response.ok() ? request.max_body : max_error_body;
  // A declared length over the limit is refused before a byte of the body is read: a hostile
  // registry could otherwise make us read up to the limit first.
  if (response.ok() && expected > static_cast<std::int64_t>(limit)) {
    drop_session(url);
    throw RegistryError(0, {}, false,
                        fmt::format("{} {}: the response body is {} bytes (Content-Length), over the limit of {} bytes",
                                    request.method, url_for_display(url), expected, limit));
  }
  while (in && response.body.size() <= limit) {
    in.read(buffer, sizeof buffer);
    response.body.append(buffer, static_cast<std::size_t>(in.gcount()));
  }
  if (response.body.size() <= limit) check_complete(static_cast<std::int64_t>(response.body.size()));
  if (response.body.size() > limit) {
    // The rest is left unread, so this connection cannot carry another request.
    drop_session(url);
    if (response.ok())
      throw RegistryError(0, {}, false,
                          fmt::format("{} {}: the response body is over the limit of {} bytes", request.method,
                                      url_for_display(url), limit));
    response.body.resize(limit);
  }
  return response;
}

}  // namespace kiln::oci
