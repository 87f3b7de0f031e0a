// The webhook keys of the configuration, the URL rules and the backoff, without a server: the
// end-to-end behaviour is in webhook_test.cpp.
#include <gtest/gtest.h>

#include "core/error.h"
#include "server/config/server_config.h"
#include "server/webhooks/webhook_backoff.h"
#include "server/webhooks/webhook_target.h"

namespace kiln::server {
namespace {

const Env kToken{{{"KILN_SERVER_TOKEN_SHA256", std::string(64, 'a')}}};

std::string config_error(const std::vector<std::string>& args) {
  try {
    load_server_config(kToken, args);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

std::string url_error(const std::string& url, const WebhookSettings& settings) {
  try {
    check_webhook_url(url, settings);
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_class(), ExitClass::usage);
    return e.what();
  }
  return "";
}

}  // namespace

TEST(WebhookSettings, KeysHaveSafeDefaultsAndAreChecked) {
  const WebhookSettings defaults = load_server_config(kToken, {}).webhooks;
  EXPECT_TRUE(defaults.allow_hosts.empty()) << "no webhook host until the operator names one";
  EXPECT_FALSE(defaults.allow_http);
  EXPECT_EQ(defaults.max_attempts, 6);
  EXPECT_EQ(defaults.timeout, std::chrono::seconds(10));

  const WebhookSettings set = load_server_config(kToken, {"--webhook_allow_hosts", "Hooks.Example.com, 10.0.0.5:8443,[::1]:9000",
                                                          "--webhook_allow_http", "true", "--webhook_retry_base", "250ms",
                                                          "--webhook_max_attempts", "3"})
                                  .webhooks;
  EXPECT_EQ(set.allow_hosts, (std::vector<std::string>{"hooks.example.com", "10.0.0.5:8443", "[::1]:9000"}));
  EXPECT_TRUE(set.allow_http);
  EXPECT_EQ(set.retry_base, std::chrono::milliseconds(250));
  EXPECT_EQ(set.max_attempts, 3);

  EXPECT_EQ(config_error({"--webhook_allow_hosts", "https://hooks.example.com"}),
            "webhook_allow_hosts: 'https://hooks.example.com' is not a host or host:port");
  EXPECT_EQ(config_error({"--webhook_allow_http", "yes"}), "webhook_allow_http: 'yes' is not true or false");
  EXPECT_EQ(config_error({"--webhook_max_attempts", "0"}), "webhook_max_attempts: must be between 1 and 50");
  EXPECT_EQ(config_error({"--webhook_timeout", "10h"}),
            "webhook_timeout: '10h' is not a duration between 1000 ms and 300000 ms (a Go duration: 500ms, 30s, 10m)");
  EXPECT_NE(server_help_text().find("KILN_SERVER_WEBHOOK_ALLOW_HOSTS"), std::string::npos);
}

TEST(WebhookSettings, UrlsMatchTheAllowListExactly) {
  WebhookSettings s;
  s.allow_hosts = {"hooks.example.com", "ci.example.com:8443", "[::1]:9000", "10.1.2.3"};
  EXPECT_EQ(url_error("https://hooks.example.com/x?y=1", s), "");
  EXPECT_EQ(url_error("https://HOOKS.example.com:444/x", s), "") << "a bare host allows every port";
  EXPECT_EQ(url_error("https://ci.example.com:8443/", s), "");
  EXPECT_EQ(url_error("https://ci.example.com/", s), "host 'ci.example.com' (port 443) is not on this server's webhook_allow_hosts");
  EXPECT_EQ(url_error("https://[::1]:9000/", s), "");
  EXPECT_EQ(url_error("https://10.1.2.3/", s), "");
  EXPECT_EQ(url_error("https://sub.hooks.example.com/", s),
            "host 'sub.hooks.example.com' (port 443) is not on this server's webhook_allow_hosts");
  EXPECT_EQ(url_error("https://hooks.example.com.evil.net/", s),
            "host 'hooks.example.com.evil.net' (port 443) is not on this server's webhook_allow_hosts");
  EXPECT_EQ(url_error("https://evil.net\\@hooks.example.com/", s),
            "must not carry user info (user:password@); put a token in the path or query if the receiver needs one");
  EXPECT_EQ(url_error("https://hooks.example.com/a b", s), "contains a space, a control character or a non-ASCII byte (percent-encode it)");
  EXPECT_EQ(url_error("https://hooks.example.com/#frag", s), "must not have a #fragment");
  EXPECT_EQ(url_error("http://hooks.example.com/", s),
            "plain http:// is refused: the body carries build state (this server's webhook_allow_http is false)");
  s.allow_hosts.clear();
  EXPECT_EQ(url_error("https://hooks.example.com/", s), "this server allows no webhook hosts (its webhook_allow_hosts is empty)");
}

TEST(WebhookSettings, SpecialAddressesAreRefusedForHostNames) {
  using Poco::Net::IPAddress;
  for (const char* refused : {"127.0.0.1", "127.8.9.1", "::1", "169.254.169.254", "fe80::1", "0.0.0.0", "::", "224.0.0.1",
                              "255.255.255.255", "::ffff:127.0.0.1", "::ffff:169.254.169.254"})
    EXPECT_TRUE(resolved_address_refused(IPAddress(refused))) << refused;
  for (const char* allowed : {"10.0.0.5", "192.168.1.20", "203.0.113.7", "2001:db8::1", "::ffff:10.0.0.5"})
    EXPECT_FALSE(resolved_address_refused(IPAddress(allowed))) << allowed;
}

TEST(WebhookSettings, BackoffDoublesWithJitterAndIsCapped) {
  WebhookSettings s;
  s.retry_base = std::chrono::seconds(10);
  s.retry_max = std::chrono::seconds(60);
  for (int i = 0; i < 50; ++i) {
    const auto first = webhook_retry_wait(1, s, std::nullopt), third = webhook_retry_wait(3, s, std::nullopt);
    EXPECT_GE(first, std::chrono::seconds(5));
    EXPECT_LE(first, std::chrono::seconds(10));
    EXPECT_GE(third, std::chrono::seconds(20));
    EXPECT_LE(third, std::chrono::seconds(40));
    EXPECT_LE(webhook_retry_wait(30, s, std::nullopt), std::chrono::seconds(60));
    EXPECT_GE(webhook_retry_wait(1, s, std::chrono::seconds(45)), std::chrono::seconds(45));
    EXPECT_EQ(webhook_retry_wait(1, s, std::chrono::hours(5)), std::chrono::seconds(60));
  }
}

}  // namespace kiln::server
