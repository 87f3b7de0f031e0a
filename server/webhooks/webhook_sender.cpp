#include "server/webhooks/webhook_sender.h"

#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeParser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Timestamp.h>
#include <fmt/format.h>

#include <algorithm>
#include <memory>

#include "core/error.h"
#include "oci/registry/tls.h"
#include "server/webhooks/exchange_deadline.h"

namespace kiln::server {
namespace {

using Clock = std::chrono::steady_clock;

// Poco connects lazily inside sendRequest(); connecting first lets the peer address be checked
// before a byte of the request leaves.
template <class Base>
class ConnectFirst : public Base {
 public:
  using Base::Base;
  void connect_now() { this->reconnect(); }
};

std::optional<std::chrono::milliseconds> parse_retry_after(const std::string& value) {
  if (value.empty()) return std::nullopt;
  if (value.find_first_not_of("0123456789") == std::string::npos && value.size() <= 9)
    return std::chrono::seconds(std::stoll(value));
  Poco::DateTime when;
  int zone = 0;
  if (!Poco::DateTimeParser::tryParse(Poco::DateTimeFormat::HTTP_FORMAT, value, when, zone)) return std::nullopt;
  const auto wait = (when.timestamp() - Poco::Timestamp()) / 1000;  // microseconds -> ms
  return std::chrono::milliseconds(std::max<Poco::Timestamp::TimeDiff>(0, wait));
}

// A bounded, printable excerpt of what the receiver said, for the API view.
std::string excerpt(const std::string& text) {
  std::string out;
  for (char c : text.substr(0, 200)) out += (c >= 0x20 && c < 0x7f) ? c : ' ';
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

AttemptOutcome classify(const Poco::Net::HTTPResponse& response, const std::string& answer) {
  AttemptOutcome out;
  out.status = static_cast<int>(response.getStatus());
  const std::string said = excerpt(answer);
  const std::string tail = said.empty() ? "" : ": " + said;
  if (out.status >= 200 && out.status < 300) {
    out.kind = AttemptOutcome::Kind::delivered;
  } else if (out.status >= 300 && out.status < 400) {
    out.kind = AttemptOutcome::Kind::give_up;
    out.error = fmt::format("answered {} (a redirect to '{}'); webhooks do not follow redirects", out.status,
                            excerpt(response.get("Location", "")));
  } else if (out.status == 408 || out.status == 429 || out.status >= 500) {
    out.kind = AttemptOutcome::Kind::retry;
    out.retry_after = parse_retry_after(response.get("Retry-After", ""));
    out.error = fmt::format("answered {}{}", out.status, tail);
  } else {
    out.kind = AttemptOutcome::Kind::give_up;
    out.error = fmt::format("answered {}{}; not retried", out.status, tail);
  }
  return out;
}

template <class Session>
AttemptOutcome exchange(Session& session, const WebhookTarget& target, const WebhookMessage& message, Clock::time_point deadline,
                        const std::atomic<bool>& stopping) {
  ExchangeDeadline watch(deadline, stopping);
  session.connect_now();
  watch.watch(session.socket().impl()->sockfd());
  const Poco::Net::IPAddress peer = session.socket().peerAddress().host();
  if (!target.host_is_address && resolved_address_refused(peer)) {
    return {.kind = AttemptOutcome::Kind::give_up,
            .error = fmt::format("host '{}' resolved to {}, a loopback, link-local or special address; refused for a host name "
                                 "(list the address itself in webhook_allow_hosts to allow it)",
                                 target.host, peer.toString())};
  }
  Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_POST, target.path_and_query, Poco::Net::HTTPMessage::HTTP_1_1);
  request.setHost(target.host, target.port);
  request.setContentType("application/json");
  request.setContentLength(static_cast<std::streamsize>(message.body.size()));
  request.setKeepAlive(false);
  request.set("User-Agent", "kiln-server-webhook/1");
  request.set("X-Kiln-Event", message.event);
  request.set("X-Kiln-Delivery", message.delivery_id);
  request.set("X-Kiln-Timestamp", std::to_string(message.timestamp));
  request.set("X-Kiln-Signature-256", message.signature);
  session.sendRequest(request) << message.body;
  Poco::Net::HTTPResponse response;
  std::istream& in = session.receiveResponse(response);
  std::string answer(kMaxAnswerBytes, '\0');
  in.read(answer.data(), static_cast<std::streamsize>(answer.size()));
  answer.resize(static_cast<std::size_t>(in.gcount()));
  return classify(response, answer);
}

}  // namespace

AttemptOutcome send_webhook(const WebhookTarget& target, const WebhookMessage& message, std::chrono::milliseconds timeout,
                            const std::atomic<bool>& stopping) {
  const auto deadline = Clock::now() + timeout;
  const Poco::Timespan limit(std::chrono::duration_cast<std::chrono::microseconds>(timeout).count());
  try {
    if (target.https) {
      // The system's CAs (SSL_CERT_FILE / SSL_CERT_DIR honoured), and the certificate must name the host.
      ConnectFirst<Poco::Net::HTTPSClientSession> session(target.host, target.port, oci::make_tls_context(target.host, ""));
      session.setTimeout(limit, limit, limit);
      return exchange(session, target, message, deadline, stopping);
    }
    ConnectFirst<Poco::Net::HTTPClientSession> session(target.host, target.port);
    session.setTimeout(limit, limit, limit);
    return exchange(session, target, message, deadline, stopping);
  } catch (const std::exception& e) {
    if (stopping) return {.kind = AttemptOutcome::Kind::interrupted, .error = "interrupted by a server shutdown"};
    const std::string what = dynamic_cast<const Poco::Exception*>(&e) ? dynamic_cast<const Poco::Exception&>(e).displayText() : e.what();
    if (Clock::now() >= deadline)
      return {.kind = AttemptOutcome::Kind::retry,
              .error = fmt::format("no complete answer within webhook_timeout ({} ms)", timeout.count())};
    return {.kind = AttemptOutcome::Kind::retry, .error = fmt::format("cannot reach the receiver: {}", excerpt(what))};
  }
}

}  // namespace kiln::server
