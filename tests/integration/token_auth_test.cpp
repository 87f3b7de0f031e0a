// kiln-plugin against a docker-registry in Bearer-token mode (`auth: token`) whose tokens come
// from a test issuer (tests/support/token_issuer.h), with the fault proxy in between to see
// every request the registry gets. A token that lapses in the middle of a push (the registry
// stops accepting it while kiln still trusts its expires_in) is answered 401; kiln fetches a
// new one and the build lands with the right digest. An issuer that refuses, or tokens the
// registry never accepts, end in exit 3 naming the registry and the issuer after a bounded
// number of requests. The Basic credential goes to the issuer only, never to the registry.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>

#include "core/temp_dir.h"
#include "oci/credentials/layered_keychain.h"
#include "oci/registry/client.h"
#include "tests/support/busybox_image.h"
#include "tests/support/fault_proxy.h"
#include "tests/support/local_registry.h"
#include "tests/support/token_issuer.h"
#include "tests/support/tools.h"

namespace kiln::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr const char* kTokenEpoch = "1700000000";
constexpr std::size_t kLayerPadding = 16u << 20;  // incompressible bytes: a layer that takes a while to push

class TokenAuthBuild : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    issuer_ = new TokenIssuer();
    registry_ = new LocalRegistry(TokenAuth{.realm = issuer_->realm(),
                                                           .service = TokenIssuer::service,
                                                           .issuer = TokenIssuer::issuer,
                                                           .root_cert_bundle = issuer_->root_cert_bundle()});
    proxy_ = new FaultProxy(registry_->host());
    work_ = new TempDir("kiln-token-test");
    fs::create_directories(work_->path() / "docker");
    // The hello program with random bytes appended: still runs, and its layer is large.
    binary_ = work_->path() / "hello-large";
    fs::copy_file(KILN_HELLO_BINARY, binary_);
    std::mt19937_64 random(7);
    std::string padding(kLayerPadding, '\0');
    for (std::size_t i = 0; i + 8 <= padding.size(); i += 8) {
      const std::uint64_t v = random();
      std::memcpy(padding.data() + i, &v, 8);
    }
    std::ofstream(binary_, std::ios::app | std::ios::binary) << padding;
    fs::permissions(binary_, fs::perms(0755));
    push_busybox_base(*client(), {.repository = "base/busybox", .tag = "1"});
  }
  static void TearDownTestSuite() {
    delete work_;
    delete proxy_;
    delete registry_;
    delete issuer_;
  }
  void SetUp() override {
    issuer_->set_options({});
    proxy_->reset();
  }

  // A client of the registry itself (not through the proxy) with the issuer's credentials.
  static std::unique_ptr<oci::RegistryClient> client() {
    std::map<std::string, oci::Credential> credentials{
        {registry_->host(), {.username = issuer_->username(), .password = issuer_->password()}}};
    return std::make_unique<oci::RegistryClient>(
        registry_->host(), std::make_shared<oci::LayeredKeychain>(std::move(credentials), nullptr),
        oci::RegistryOptions{.insecure = true});
  }

  static std::map<std::string, std::string> settings(const std::string& repo, const std::string& password) {
    return {{"PLUGIN_REPO", proxy_->host() + "/" + repo},
            {"PLUGIN_BASE_IMAGE", proxy_->host() + "/base/busybox:1"},
            {"PLUGIN_BINARY", binary_.string()},
            {"PLUGIN_USERNAME", issuer_->username()},
            {"PLUGIN_PASSWORD", password},
            {"PLUGIN_INSECURE", "true"},  // the issuer's realm is plain http on 127.0.0.1
            {"SOURCE_DATE_EPOCH", kTokenEpoch},
            {"DOCKER_CONFIG", (work_->path() / "docker").string()}};
  }

  static std::string log_text() {
    std::string text;
    for (const ProxiedRequest& r : proxy_->settled_log())
      text += fmt::format("  {} {} [{}] -> {}{}\n", r.method, r.path, r.authorization.substr(0, 12), r.status,
                          r.faulted ? " (fault)" : "");
    return text;
  }

  // Requests sent with a Bearer token that the registry answered 401: tokens it refused.
  static int refused_tokens() {
    int n = 0;
    for (const ProxiedRequest& r : proxy_->settled_log()) n += r.status == 401 && r.authorization.starts_with("Bearer ");
    return n;
  }

  // Neither the password nor any token the registry saw shows in what kiln printed; the
  // registry never saw the Basic credential (it goes to the issuer only).
  static void expect_no_secret(const ProcessResult& r, const std::string& password) {
    EXPECT_EQ(r.out.find(password), std::string::npos) << "password in stdout";
    EXPECT_EQ(r.err.find(password), std::string::npos) << "password in stderr";
    for (const ProxiedRequest& p : proxy_->settled_log()) {
      EXPECT_FALSE(p.authorization.starts_with("Basic")) << "the registry got the Basic credential: " << p.path;
      if (p.authorization.starts_with("Bearer ")) {
        const std::string token = p.authorization.substr(7);
        EXPECT_EQ(r.out.find(token), std::string::npos) << "a token in stdout";
        EXPECT_EQ(r.err.find(token), std::string::npos) << "a token in stderr";
      }
    }
    for (const TokenRequest& t : issuer_->requests())
      EXPECT_TRUE(t.authorization.starts_with("Basic ")) << "a token request without the credential";
  }

  static TokenIssuer* issuer_;
  static LocalRegistry* registry_;
  static FaultProxy* proxy_;
  static TempDir* work_;
  static fs::path binary_;
};

TokenIssuer* TokenAuthBuild::issuer_ = nullptr;
LocalRegistry* TokenAuthBuild::registry_ = nullptr;
FaultProxy* TokenAuthBuild::proxy_ = nullptr;
TempDir* TokenAuthBuild::work_ = nullptr;
fs::path TokenAuthBuild::binary_;

}  // namespace

// The registry stops accepting each token 3 s after it was issued while the issuer promises
// 300 s, and the proxy holds the first blob PUT for 5 s: that PUT arrives with a lapsed token.
// kiln takes the 401, fetches a new token for the same scopes and pushes the image a build with
// long-lived tokens pushes. The control build proves the 401 comes from the lapse.
TEST_F(TokenAuthBuild, ATokenThatLapsesMidPushIsRenewedAndTheBuildLands) {
  const ProcessResult control = run_plugin(settings("tok/control", issuer_->password()));
  ASSERT_EQ(control.exit_code, 0) << control.err << log_text();
  const std::string want = digest_in(control.out);
  ASSERT_FALSE(want.empty()) << control.out;
  EXPECT_EQ(refused_tokens(), 0) << "long-lived tokens were refused\n" << log_text();
  expect_no_secret(control, issuer_->password());

  proxy_->reset();
  const std::size_t issued_before = issuer_->requests().size();
  issuer_->set_options({.registry_lifetime = 3s, .expires_in = 300});
  proxy_->add({.method = "PUT", .path = "/v2/tok/lapse/blobs/uploads/.*", .action = FaultAction::stall, .stall = 5s});
  const auto start = std::chrono::steady_clock::now();
  const ProcessResult r = run_plugin(settings("tok/lapse", issuer_->password()));
  ASSERT_EQ(r.exit_code, 0) << r.err << log_text();
  EXPECT_EQ(digest_in(r.out), want) << r.out;
  EXPECT_LT(std::chrono::steady_clock::now() - start, 90s);
  auto pushed = client()->head_manifest("tok/lapse", "latest");
  ASSERT_TRUE(pushed.has_value());
  EXPECT_EQ(pushed->to_string(), want);

  // The lapsed token was refused, and the very request it was refused for went through again.
  const std::vector<ProxiedRequest> log = proxy_->settled_log();
  bool renewed = false;
  for (std::size_t i = 0; i < log.size() && !renewed; ++i) {
    if (log[i].status != 401 || !log[i].authorization.starts_with("Bearer ")) continue;
    for (std::size_t j = i + 1; j < log.size() && !renewed; ++j)
      renewed = log[j].method == log[i].method && log[j].path == log[i].path && log[j].status / 100 == 2 &&
                log[j].authorization.starts_with("Bearer ") && log[j].authorization != log[i].authorization;
  }
  EXPECT_GE(refused_tokens(), 1) << log_text();
  EXPECT_TRUE(renewed) << "no request was re-sent with a new token after a 401\n" << log_text();
  const std::vector<TokenRequest> issued = issuer_->requests();
  const std::size_t during = issued.size() - issued_before;
  EXPECT_GT(during, 1u);
  EXPECT_LT(during, 40u) << "token requests must stay bounded";
  expect_no_secret(r, issuer_->password());
}

// The issuer refuses the credential: exit 3 at once, naming the registry and the issuer.
TEST_F(TokenAuthBuild, AnIssuerThatRefusesEndsInExitThreeNamingRegistryAndIssuer) {
  issuer_->set_options({.refuse = true});
  const std::size_t before = issuer_->requests().size();
  const auto start = std::chrono::steady_clock::now();
  const ProcessResult r = run_plugin(settings("tok/refused", issuer_->password()));
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find(proxy_->host()), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(issuer_->realm()), std::string::npos) << "the message names the issuer\n" << r.err;
  EXPECT_EQ(issuer_->requests().size() - before, 1u) << "a refused credential is not retried";
  EXPECT_LT(std::chrono::steady_clock::now() - start, 30s);
  expect_no_secret(r, issuer_->password());
}

// Tokens the registry never accepts (already past exp + leeway when issued): one renewal per
// request at most, then exit 3 naming the registry and where the tokens came from.
TEST_F(TokenAuthBuild, TokensTheRegistryNeverAcceptsEndInExitThreeWithoutALoop) {
  issuer_->set_options({.registry_lifetime = -5s, .expires_in = 300});
  const std::size_t before = issuer_->requests().size();
  const auto start = std::chrono::steady_clock::now();
  const ProcessResult r = run_plugin(settings("tok/never", issuer_->password()));
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find(proxy_->host()), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(issuer_->realm()), std::string::npos) << "the message names the issuer\n" << r.err;
  // The first token, and the one renewal the 401 earns; both refused.
  EXPECT_EQ(issuer_->requests().size() - before, 2u) << log_text();
  EXPECT_EQ(refused_tokens(), 2) << log_text();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 30s);
  expect_no_secret(r, issuer_->password());
}

}  // namespace kiln::testing
