// kiln-plugin and kiln-verify, the real executables, against an https registry (a scripted
// stand-in) that plays fair on its first challenge (an https token realm on itself) and then
// answers the authenticated request with a 401 naming a plain-http realm on another host, where
// a listener waits for the Basic credential. Both programs refuse the realm with exit 3
// naming it, and the listener never hears from them.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <filesystem>

#include "core/temp_dir.h"
#include "tests/support/files.h"
#include "tests/support/scripted_server.h"
#include "tests/support/tools.h"

namespace kiln::testing {
namespace {

namespace fs = std::filesystem;

constexpr const char* kPassword = "realm-test-pw-5e1f";
constexpr const char* kToken = "first-token-77aa";

class HostileTokenRealm : public ::testing::Test {
 protected:
  // The listener a downgraded realm points at: it would answer with a token, if asked.
  ScriptedServer listener_{ScriptedServer::Scheme::http,
                           [](const ScriptedRequest&) { return ScriptedAnswer{.body = R"({"token":"stolen"})"}; }};
  std::string evil_realm_ = fmt::format("http://localhost:{}/token", listener_.port());
  ScriptedServer registry_{ScriptedServer::Scheme::https, [this](const ScriptedRequest& r) { return answer(r); }};
  TempDir work_{"kiln-realm-test"};

  ScriptedAnswer answer(const ScriptedRequest& r) {
    const std::string fair = fmt::format(R"(Bearer realm="https://{}/token",service="stand-in")", registry_.host());
    if (r.uri.starts_with("/token")) return {.body = fmt::format(R"({{"token":"{}"}})", kToken)};
    if (r.authorization == std::string("Bearer ") + kToken)
      return {.status = 401,
              .headers = {{"WWW-Authenticate", fmt::format(R"(Bearer realm="{}",service="stand-in",error="invalid_token")",
                                                           evil_realm_)}},
              .body = R"({"errors":[{"code":"UNAUTHORIZED"}]})"};
    return {.status = 401, .headers = {{"WWW-Authenticate", fair}}, .body = R"({"errors":[{"code":"UNAUTHORIZED"}]})"};
  }
  void expect_refused(const ProcessResult& r) {
    EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
    EXPECT_TRUE(contains(r.err, "refusing token realm '" + evil_realm_ + "'")) << r.err;
    EXPECT_TRUE(contains(r.err, registry_.host())) << r.err;
    EXPECT_FALSE(contains(r.err + r.out, kPassword));
    EXPECT_TRUE(listener_.requests().empty()) << "the downgraded realm was contacted";
    bool fair_token_fetched = false;
    for (const ScriptedRequest& q : registry_.requests()) fair_token_fetched |= q.uri.starts_with("/token");
    EXPECT_TRUE(fair_token_fetched) << "the first, fair realm was never used: the test proved nothing";
  }
};

}  // namespace

TEST_F(HostileTokenRealm, KilnPluginRefusesADowngradedRealm) {
  fs::create_directories(work_.path() / "docker");
  const ProcessResult r = run_plugin({{"PLUGIN_REPO", registry_.host() + "/team/app"},
                                      {"PLUGIN_BASE_IMAGE", registry_.host() + "/base/busybox:1"},
                                      {"PLUGIN_BINARY", KILN_HELLO_BINARY},
                                      {"PLUGIN_USERNAME", "ci"},
                                      {"PLUGIN_PASSWORD", kPassword},
                                      {"PLUGIN_REGISTRY_CERTIFICATE", registry_.ca_file().string()},
                                      {"SOURCE_DATE_EPOCH", "1700000000"},
                                      {"DOCKER_CONFIG", (work_.path() / "docker").string()}});
  expect_refused(r);
}

TEST_F(HostileTokenRealm, KilnVerifyRefusesADowngradedRealm) {
  fs::create_directories(work_.path() / "docker");
  ProcessOptions options;
  options.extra_env = {{"PLUGIN_IMAGE", registry_.host() + "/team/app:1"},
                       {"PLUGIN_USERNAME", "ci"},
                       {"PLUGIN_PASSWORD", kPassword},
                       {"PLUGIN_REGISTRY_CERTIFICATE", registry_.ca_file().string()},
                       {"PLUGIN_JUNIT", (work_.path() / "junit.xml").string()},
                       {"DOCKER_CONFIG", (work_.path() / "docker").string()}};
  options.timeout = std::chrono::seconds(120);
  expect_refused(run_process({KILN_VERIFY_BINARY}, options));
}

}  // namespace kiln::testing
