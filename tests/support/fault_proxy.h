#pragma once
// An HTTP proxy between kiln and a LocalRegistry that injects faults: connection resets in the
// middle of a request or response body, 5xx and 429 answers, stalls. Every request is recorded
// in arrival order so tests can assert what was sent when. Listens on 127.0.0.1 and a free port;
// stopped by the destructor.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace kiln::testing {

enum class FaultAction {
  reset_request_body,   ///< read part of the request body, then close with RST (SO_LINGER 0)
  reset_response_body,  ///< forward, send the headers and half the body, then close with RST
  status,               ///< drain the request body and answer `status` (with `retry_after` if set, and `body` as
                        ///< the JSON error body if set)
  stall,                ///< hold the request for `stall`, then forward it
  ignore_range,         ///< forward without the Range header, as a server that does not do ranges
  corrupt_body,         ///< forward, then flip one byte in the middle of the body (same length, same headers)
  serve_body,           ///< drain the request body and answer 200 with `body` as `content_type`
  endless_body,         ///< forward, then answer 200 with a chunked body: the registry's body followed by bytes
                        ///< that never end (until the client hangs up, or kMaxEndless); the bytes sent are
                        ///< recorded
  trickle_headers,      ///< answer with a status line, then header bytes `trickle_bytes` per `interval`, never
                        ///< ending the headers (until the client hangs up, or kMaxTrickle)
  trickle_body,         ///< forward; send the headers at once, then the body `trickle_bytes` per `interval`
};

/// A fault that acts on requests matching `method` (empty: any) and `path` (an RE2 matched
/// against the whole path, without the query), from the `nth` match on (1-based), `times`
/// times (kAlways: every time).
struct FaultRule {
  static constexpr int kAlways = -1;
  std::string method;
  std::string path;
  FaultAction action = FaultAction::status;
  int nth = 1;
  int times = 1;
  int status = 503;
  std::optional<int> retry_after;        ///< seconds, sent as Retry-After
  std::chrono::milliseconds stall{0};    ///< capped at 30 s
  std::string body;                      ///< serve_body: the answer's body; status: its error body
  std::string content_type = "application/vnd.oci.image.manifest.v1+json";  ///< serve_body
  std::size_t trickle_bytes = 1;             ///< trickle_*: bytes per interval
  std::chrono::milliseconds interval{1000};  ///< trickle_*
  static constexpr std::int64_t kMaxEndless = std::int64_t{64} << 30;
  static constexpr std::chrono::seconds kMaxTrickle{120};
};

/// One request as the proxy saw it. `status` is what the client got: 0 for a reset, -1 while
/// the exchange is still running.
struct ProxiedRequest {
  std::string method;
  std::string path;
  std::string query;
  int status = -1;
  bool faulted = false;
  std::string range;          ///< the Range header, when sent
  std::string authorization;  ///< the Authorization header, when sent (tests check where credentials go)
  std::int64_t bytes_sent = 0;  ///< endless_body, trickle_*: the bytes the client was sent before it hung up
};

class FaultProxy {
 public:
  /// Forwards to the plain-HTTP registry at `upstream` ("127.0.0.1:<port>").
  explicit FaultProxy(std::string upstream);
  ~FaultProxy();
  FaultProxy(const FaultProxy&) = delete;
  FaultProxy& operator=(const FaultProxy&) = delete;

  /// "127.0.0.1:<port>" of the proxy.
  std::string host() const;
  void add(FaultRule rule);
  /// Removes all rules and forgets the log.
  void reset();
  /// Every request so far, in arrival order.
  std::vector<ProxiedRequest> log() const;
  /// log() once no exchange is still running (a client can have its answer before the proxy
  /// records it), waiting at most `limit`.
  std::vector<ProxiedRequest> settled_log(std::chrono::milliseconds limit = std::chrono::seconds(5)) const;

  struct State;  ///< shared with the server's handler threads

 private:
  std::shared_ptr<State> state_;
};

}  // namespace kiln::testing
