#pragma once
// The server's webhook keys (webhook_* in the configuration): who may be called back, how the
// calls are signed, and how long a delivery is retried.
#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace kiln::server {

struct WebhookSettings {
  /// Hosts a webhook URL may name: "host" (any port) or "host:port"; empty: webhooks are refused.
  std::vector<std::string> allow_hosts;
  bool allow_http = false;                       ///< plain http:// URLs (the body carries build state)
  std::filesystem::path secret_file;             ///< empty: <data_dir>/webhook.secret, made at first start
  int max_attempts = 6;                          ///< attempts per delivery, the first included
  std::chrono::milliseconds timeout{10000};      ///< one attempt: connect, send, answer
  std::chrono::milliseconds retry_base{10000};   ///< the wait before the second attempt; doubles each time
  std::chrono::milliseconds retry_max{600000};   ///< the longest single wait (and Retry-After honoured)
  std::chrono::milliseconds retry_window{3600000};  ///< no attempt starts later than this after the first
  int workers = 2;                               ///< deliveries in flight at once
};

}  // namespace kiln::server
