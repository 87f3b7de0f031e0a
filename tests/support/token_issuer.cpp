#include "tests/support/token_issuer.h"

#include <Poco/Base64Encoder.h>
#include <Poco/Net/HTTPBasicCredentials.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/ThreadPool.h>
#include <Poco/URI.h>
#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <fstream>
#include <mutex>
#include <random>
#include <sstream>

#include "core/error.h"
#include "core/process.h"
#include "core/temp_dir.h"
#include "oci/json.h"
#include "tests/support/files.h"

namespace kiln::testing {
namespace {

using oci::Json;

std::string base64url(std::string_view bytes) {
  std::ostringstream out;
  Poco::Base64Encoder encoder(out, Poco::BASE64_URL_ENCODING | Poco::BASE64_NO_PADDING);
  encoder.rdbuf()->setLineLength(0);
  encoder.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  encoder.close();
  return out.str();
}

// x5c holds the DER certificate in standard base64: exactly a PEM file's body lines, joined.
std::string pem_body(const std::string& pem) {
  std::istringstream in(pem);
  std::string line, out;
  while (std::getline(in, line))
    if (!line.starts_with("-----")) out += line;
  return out;
}

struct FreeKey {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct FreeBio {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct FreeMdContext {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};

// RS256: RSASSA-PKCS1-v1_5 over SHA-256, the algorithm Distribution's libtrust verifies.
std::string sign_rs256(EVP_PKEY* key, std::string_view input) {
  std::unique_ptr<EVP_MD_CTX, FreeMdContext> ctx(EVP_MD_CTX_new());
  std::size_t size = 0;
  const auto* data = reinterpret_cast<const unsigned char*>(input.data());
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &size, data, input.size()) != 1)
    throw_infra("token issuer: cannot start an RS256 signature");
  std::string signature(size, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &size, data, input.size()) != 1)
    throw_infra("token issuer: RS256 signing failed");
  signature.resize(size);
  return signature;
}

// "repository:team/app:push,pull" -> {"type":"repository","name":"team/app","actions":["push","pull"]}
Json access_entry(const std::string& scope) {
  const auto first = scope.find(':');
  const auto last = scope.rfind(':');
  if (first == std::string::npos || first == last) return nullptr;
  Json actions = Json::array();
  std::istringstream list(scope.substr(last + 1));
  for (std::string action; std::getline(list, action, ',');)
    if (!action.empty()) actions.push_back(action);
  return Json{{"type", scope.substr(0, first)}, {"name", scope.substr(first + 1, last - first - 1)},
              {"actions", actions}};
}

std::string random_password() {
  std::random_device rd;
  std::string out = "tok-";
  for (int i = 0; i < 24; ++i) out += "0123456789abcdefghijklmnopqrstuvwxyz"[rd() % 36];
  return out;
}

}  // namespace

struct TokenIssuer::State {
  TempDir dir{"kiln-token-issuer"};
  std::unique_ptr<EVP_PKEY, FreeKey> key;
  std::string x5c;
  std::string realm;

  mutable std::mutex mutex;
  TokenIssuerOptions options;
  std::vector<TokenRequest> requests;
  std::uint64_t issued = 0;

  std::unique_ptr<Poco::ThreadPool> pool;
  std::unique_ptr<Poco::Net::HTTPServer> server;

  std::string make_token(const std::vector<std::string>& scopes, const TokenIssuerOptions& now_options,
                         std::uint64_t serial) {
    const std::int64_t now =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    Json access = Json::array();
    for (const auto& scope : scopes)
      if (Json entry = access_entry(scope); !entry.is_null()) access.push_back(std::move(entry));
    const Json header{{"typ", "JWT"}, {"alg", "RS256"}, {"x5c", Json::array({x5c})}};
    const Json claims{{"iss", TokenIssuer::issuer},
                      {"sub", now_options.username},
                      {"aud", TokenIssuer::service},
                      {"exp", now - 60 + now_options.registry_lifetime.count()},
                      {"nbf", now - 1},
                      {"iat", now},
                      {"jti", fmt::format("kiln-test-{}", serial)},
                      {"access", access}};
    const std::string input = base64url(header.dump()) + "." + base64url(claims.dump());
    return input + "." + base64url(sign_rs256(key.get(), input));
  }
};

namespace {

class TokenHandler final : public Poco::Net::HTTPRequestHandler {
 public:
  explicit TokenHandler(std::shared_ptr<TokenIssuer::State> state) : state_(std::move(state)) {}

  void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override {
    TokenRequest seen;
    seen.authorization = request.get("Authorization", "");
    for (const auto& [name, value] : Poco::URI(request.getURI()).getQueryParameters()) {
      if (name == "service") seen.service = value;
      if (name == "scope") seen.scopes.push_back(value);
    }
    TokenIssuerOptions options;
    std::uint64_t serial = 0;
    {
      std::lock_guard lock(state_->mutex);
      options = state_->options;
      serial = ++state_->issued;
    }
    bool valid = false;
    try {
      const Poco::Net::HTTPBasicCredentials credentials(request);
      valid = credentials.getUsername() == options.username && credentials.getPassword() == options.password;
    } catch (const Poco::Exception&) {
    }
    seen.granted = valid && !options.refuse && request.getMethod() == "GET";
    {
      std::lock_guard lock(state_->mutex);
      state_->requests.push_back(seen);
    }
    response.setContentType("application/json");
    if (!seen.granted) {
      response.setStatus(Poco::Net::HTTPResponse::HTTP_UNAUTHORIZED);
      response.set("WWW-Authenticate", "Basic realm=\"kiln-test-issuer\"");
      const std::string body = R"({"errors":[{"code":"UNAUTHORIZED","message":"the test issuer refused"}]})";
      response.sendBuffer(body.data(), body.size());
      return;
    }
    const Json answer{{"token", state_->make_token(seen.scopes, options, serial)}, {"expires_in", options.expires_in}};
    const std::string body = answer.dump();
    response.sendBuffer(body.data(), body.size());
  }

 private:
  std::shared_ptr<TokenIssuer::State> state_;
};

class TokenHandlerFactory final : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit TokenHandlerFactory(std::shared_ptr<TokenIssuer::State> state) : state_(std::move(state)) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
    return new TokenHandler(state_);
  }

 private:
  std::shared_ptr<TokenIssuer::State> state_;
};

}  // namespace

TokenIssuer::TokenIssuer(TokenIssuerOptions options) : state_(std::make_shared<State>()) {
  State& s = *state_;
  if (options.password.empty()) options.password = random_password();
  s.options = std::move(options);
  const auto key_file = s.dir.path() / "key.pem";
  const auto cert_file = s.dir.path() / "cert.pem";
  const ProcessResult made =
      run_process({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
                   std::string("/CN=") + issuer, "-keyout", key_file.string(), "-out", cert_file.string()},
                  {.input = {}, .extra_env = {}, .working_dir = {}, .timeout = std::chrono::seconds(60)});
  if (made.exit_code != 0) throw_infra("token issuer: openssl req failed: " + made.err);
  const std::string pem = read_file(key_file);
  std::unique_ptr<BIO, FreeBio> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  s.key.reset(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!s.key) throw_infra("token issuer: cannot read the key openssl made");
  s.x5c = pem_body(read_file(cert_file));

  Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
  s.realm = fmt::format("http://127.0.0.1:{}/token", socket.address().port());
  Poco::Net::HTTPServerParams::Ptr params(new Poco::Net::HTTPServerParams);
  params->setMaxThreads(8);
  params->setKeepAlive(true);
  params->setTimeout(Poco::Timespan(30, 0));
  s.pool = std::make_unique<Poco::ThreadPool>(1, 8);
  s.server = std::make_unique<Poco::Net::HTTPServer>(
      Poco::Net::HTTPRequestHandlerFactory::Ptr(new TokenHandlerFactory(state_)), *s.pool, socket, params);
  s.server->start();
}

TokenIssuer::~TokenIssuer() {
  state_->server->stopAll(true);
  state_->server.reset();
  state_->pool->joinAll();
  state_->pool.reset();
}

std::string TokenIssuer::realm() const { return state_->realm; }

std::filesystem::path TokenIssuer::root_cert_bundle() const { return state_->dir.path() / "cert.pem"; }

std::string TokenIssuer::username() const {
  std::lock_guard lock(state_->mutex);
  return state_->options.username;
}

std::string TokenIssuer::password() const {
  std::lock_guard lock(state_->mutex);
  return state_->options.password;
}

void TokenIssuer::set_options(TokenIssuerOptions options) {
  std::lock_guard lock(state_->mutex);
  if (options.password.empty()) options.password = state_->options.password;
  state_->options = std::move(options);
}

std::vector<TokenRequest> TokenIssuer::requests() const {
  std::lock_guard lock(state_->mutex);
  return state_->requests;
}

}  // namespace kiln::testing
