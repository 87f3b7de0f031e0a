#pragma once
// Where a webhook may be sent: an absolute http(s) URL without user info whose host is on the
// server's allow-list. Checked when a client submits it and again before every attempt, since
// the allow-list may have changed across a restart.
#include <Poco/Net/IPAddress.h>

#include <string>
#include <string_view>

#include "server/webhooks/webhook_settings.h"

namespace kiln::server {

/// The longest webhook URL accepted.
inline constexpr std::size_t kMaxWebhookUrl = 2048;

struct WebhookTarget {
  std::string url;              ///< as submitted
  bool https = true;
  std::string host;             ///< lowercased, without IPv6 brackets
  unsigned short port = 443;
  std::string path_and_query;   ///< "/hook?x=1"
  bool host_is_address = false; ///< an IP literal (the operator listed an address, not a name)
};

/// Parses and checks `url` against `settings` (allow_hosts, allow_http). Throws kiln::Error(usage)
/// saying what is wrong; the message does not name the field (the caller does).
WebhookTarget check_webhook_url(std::string_view url, const WebhookSettings& settings);

/// True when a host *name* on the allow-list resolving to `address` must not be called:
/// loopback, link-local (cloud metadata endpoints live there), unspecified, multicast or
/// broadcast. Private ranges are allowed: in-cluster receivers are normal.
bool resolved_address_refused(const Poco::Net::IPAddress& address);

}  // namespace kiln::server
