#include "tests/support/local_registry.h"

#include "oci/credentials/layered_keychain.h"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/SSLManager.h>
#include <fmt/format.h>

#include <fstream>
#include <random>
#include <thread>

#include "core/error.h"
#include "core/process.h"

namespace kiln::testing {
namespace {

std::string random_password() {
  std::random_device rd;
  std::string out;
  for (int i = 0; i < 24; ++i) out += "0123456789abcdefghijklmnopqrstuvwxyz"[rd() % 36];
  return out;
}

void run_checked(const std::vector<std::string>& argv) {
  ProcessResult r = run_process(argv, {.input = {}, .extra_env = {}, .working_dir = {}, .timeout = std::chrono::seconds(60)});
  if (r.exit_code != 0)
    throw_infra(fmt::format("{} failed with exit {}: {}{}", argv[0], r.exit_code, r.out, r.err));
}

// A self-signed certificate is its own CA, so it doubles as the file clients trust.
void make_certificate(const std::filesystem::path& dir, const std::string& cn, const std::string& alt_names) {
  run_checked({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=" + cn,
               "-addext", "subjectAltName=" + alt_names, "-keyout", (dir / "key.pem").string(), "-out",
               (dir / "cert.pem").string()});
}

// Any HTTP answer to GET /v2/ (200, or 401 with auth) means the registry is serving.
bool answers(int port, bool tls) {
  try {
    std::unique_ptr<Poco::Net::HTTPClientSession> session;
    if (tls) {
      Poco::Net::initializeSSL();
      // Readiness only: the tests themselves check certificates with the client's own contexts.
      Poco::Net::Context::Ptr context(new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, "",
                                                             Poco::Net::Context::VERIFY_NONE));
      session = std::make_unique<Poco::Net::HTTPSClientSession>("127.0.0.1", port, context);
    } else {
      session = std::make_unique<Poco::Net::HTTPClientSession>("127.0.0.1", port);
    }
    session->setTimeout(Poco::Timespan(2, 0));
    Poco::Net::HTTPRequest request("GET", "/v2/", Poco::Net::HTTPMessage::HTTP_1_1);
    session->sendRequest(request);
    Poco::Net::HTTPResponse response;
    session->receiveResponse(response);
    return true;
  } catch (const Poco::Exception&) {
    return false;
  }
}

}  // namespace

LocalRegistry::LocalRegistry(RegistryMode mode) : LocalRegistry(mode, nullptr) {}

LocalRegistry::LocalRegistry(const TokenAuth& token) : LocalRegistry(RegistryMode::token_plain, &token) {}

LocalRegistry::LocalRegistry(RegistryMode mode, const TokenAuth* token)
    : mode_(mode), dir_("kiln-registry"), port_(free_port()) {
  const auto& dir = dir_.path();
  const bool tls = mode_ == RegistryMode::htpasswd_tls || mode_ == RegistryMode::tls_wrong_name;
  if ((mode_ == RegistryMode::token_plain) != (token != nullptr))
    throw_infra("LocalRegistry: token_plain needs TokenAuth settings, and only it takes them");
  std::string extra_http, auth;
  if (tls) {
    if (mode_ == RegistryMode::tls_wrong_name) make_certificate(dir, "other.example", "DNS:other.example");
    else make_certificate(dir, "127.0.0.1", "IP:127.0.0.1,DNS:localhost");
    extra_http = fmt::format("  tls:\n    certificate: {}\n    key: {}\n", (dir / "cert.pem").string(),
                             (dir / "key.pem").string());
  }
  if (mode_ == RegistryMode::htpasswd_tls) {
    password_ = random_password();
    ProcessResult r = run_process({"htpasswd", "-Bbn", username_, password_});
    if (r.exit_code != 0) throw_infra("htpasswd failed: " + r.err);
    std::ofstream(dir / "htpasswd") << r.out;
    auth = fmt::format("auth:\n  htpasswd:\n    realm: basic-realm\n    path: {}\n", (dir / "htpasswd").string());
  }
  if (token)
    auth = fmt::format("auth:\n  token:\n    realm: {}\n    service: {}\n    issuer: {}\n    rootcertbundle: {}\n",
                       token->realm, token->service, token->issuer, token->root_cert_bundle.string());
  std::ofstream(dir / "config.yml") << fmt::format(
      "version: 0.1\n"
      "log:\n  level: warn\n  accesslog:\n    disabled: true\n"
      "storage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: true\n"
      "  maintenance:\n    uploadpurging:\n      enabled: false\n"
      "http:\n  addr: 127.0.0.1:{}\n  secret: kiln-test-secret\n{}"
      "{}",
      (dir / "data").string(), port_, extra_http, auth);

  process_ = std::make_unique<ChildProcess>(std::vector<std::string>{"docker-registry", "serve",
                                                                     (dir / "config.yml").string()});
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!answers(port_, tls)) {
    if (!process_->running() || std::chrono::steady_clock::now() > deadline)
      throw_infra(fmt::format("docker-registry on port {} did not answer GET /v2/ within 10 s; its output:\n{}", port_,
                              process_->output()));
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

LocalRegistry::~LocalRegistry() = default;

std::string LocalRegistry::host() const { return fmt::format("127.0.0.1:{}", port_); }

std::filesystem::path LocalRegistry::ca_file() const { return dir_.path() / "cert.pem"; }

std::string LocalRegistry::output() const { return process_ ? process_->output() : std::string(); }

std::unique_ptr<oci::RegistryClient> LocalRegistry::client() const {
  if (mode_ == RegistryMode::plain || mode_ == RegistryMode::token_plain)
    return std::make_unique<oci::RegistryClient>(host(), std::make_shared<oci::AnonymousKeychain>(),
                                                 oci::RegistryOptions{.insecure = true});
  std::map<std::string, oci::Credential> credentials;
  if (mode_ == RegistryMode::htpasswd_tls) credentials[host()] = {.username = username_, .password = password_};
  return std::make_unique<oci::RegistryClient>(
      host(), std::make_shared<oci::LayeredKeychain>(std::move(credentials), nullptr),
      oci::RegistryOptions{.ca_file = ca_file().string()});
}

}  // namespace kiln::testing
