#include "server/webhooks/webhook_target.h"

#include <Poco/Exception.h>
#include <Poco/URI.h>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "core/error.h"

namespace kiln::server {
namespace {

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

struct AllowedHost {
  std::string host;
  int port = -1;  // -1: any port
};

// "name", "name:port", "1.2.3.4:port", "[::1]", "[::1]:port", "::1"
AllowedHost parse_allowed(const std::string& entry) {
  AllowedHost out;
  std::string port;
  if (!entry.empty() && entry.front() == '[') {
    const auto close = entry.find(']');
    out.host = entry.substr(1, close == std::string::npos ? std::string::npos : close - 1);
    if (close != std::string::npos && close + 1 < entry.size() && entry[close + 1] == ':') port = entry.substr(close + 2);
  } else if (std::count(entry.begin(), entry.end(), ':') == 1) {
    out.host = entry.substr(0, entry.find(':'));
    port = entry.substr(entry.find(':') + 1);
  } else {
    out.host = entry;
  }
  if (!port.empty()) {
    try {
      out.port = std::stoi(port);
    } catch (const std::exception&) {
      out.port = -2;  // matches nothing
    }
  }
  return out;
}

bool host_allowed(const WebhookTarget& target, const WebhookSettings& settings) {
  return std::any_of(settings.allow_hosts.begin(), settings.allow_hosts.end(), [&](const std::string& entry) {
    const AllowedHost allowed = parse_allowed(entry);
    return allowed.host == target.host && (allowed.port == -1 || allowed.port == target.port);
  });
}

}  // namespace

WebhookTarget check_webhook_url(std::string_view url, const WebhookSettings& settings) {
  if (url.empty()) throw_usage("expected an absolute https:// URL");
  if (url.size() > kMaxWebhookUrl) throw_usage(fmt::format("longer than {} characters", kMaxWebhookUrl));
  if (std::any_of(url.begin(), url.end(), [](unsigned char c) { return c <= 0x20 || c >= 0x7f; }))
    throw_usage("contains a space, a control character or a non-ASCII byte (percent-encode it)");
  Poco::URI uri;
  try {
    uri = Poco::URI(std::string(url));
  } catch (const Poco::Exception& e) {
    throw_usage(fmt::format("not a URL: {}", e.message()));
  }
  WebhookTarget target;
  target.url = std::string(url);
  const std::string scheme = lower(uri.getScheme());
  if (scheme != "https" && scheme != "http") throw_usage("expected an absolute http(s) URL");
  target.https = scheme == "https";
  if (!target.https && !settings.allow_http)
    throw_usage("plain http:// is refused: the body carries build state (this server's webhook_allow_http is false)");
  if (!uri.getUserInfo().empty())
    throw_usage("must not carry user info (user:password@); put a token in the path or query if the receiver needs one");
  target.host = lower(uri.getHost());
  if (target.host.empty()) throw_usage("has no host");
  if (!uri.getFragment().empty()) throw_usage("must not have a #fragment");
  target.port = uri.getPort();
  target.path_and_query = uri.getPathAndQuery();
  if (target.path_and_query.empty()) target.path_and_query = "/";
  Poco::Net::IPAddress literal;
  target.host_is_address = Poco::Net::IPAddress::tryParse(target.host, literal);
  if (settings.allow_hosts.empty())
    throw_usage("this server allows no webhook hosts (its webhook_allow_hosts is empty)");
  if (!host_allowed(target, settings))
    throw_usage(fmt::format("host '{}' (port {}) is not on this server's webhook_allow_hosts", target.host, target.port));
  return target;
}

bool resolved_address_refused(const Poco::Net::IPAddress& address) {
  if (address.family() == Poco::Net::IPAddress::IPv6 && address.isIPv4Mapped()) {
    const auto* bytes = reinterpret_cast<const unsigned char*>(address.addr());
    const Poco::Net::IPAddress v4(bytes + 12, 4);
    return resolved_address_refused(v4);
  }
  return address.isLoopback() || address.isLinkLocal() || address.isWildcard() || address.isMulticast() || address.isBroadcast();
}

}  // namespace kiln::server
