#pragma once
// A real docker-registry (CNCF Distribution 2.8) on 127.0.0.1 and a free port, storing in a
// temporary directory; stopped and removed by the destructor.
#include <filesystem>
#include <memory>
#include <string>

#include "core/process.h"
#include "core/temp_dir.h"
#include "oci/registry/client.h"

namespace kiln::testing {

enum class RegistryMode {
  plain,          ///< plain HTTP, no auth
  htpasswd_tls,   ///< TLS with a certificate made at start-up for 127.0.0.1 and localhost, Basic auth
  tls_wrong_name, ///< TLS, no auth, with a certificate (trusted via ca_file()) for DNS:other.example only
  token_plain,    ///< plain HTTP, Bearer token auth (`auth: token`) against a TokenAuth's issuer
};

/// The registry's `auth: token` settings (tests/support/token_issuer.h provides all four).
struct TokenAuth {
  std::string realm;
  std::string service;
  std::string issuer;
  std::filesystem::path root_cert_bundle;
};

class LocalRegistry {
 public:
  explicit LocalRegistry(RegistryMode mode = RegistryMode::plain);
  /// RegistryMode::token_plain: accepts the tokens `token`'s issuer signs.
  explicit LocalRegistry(const TokenAuth& token);
  ~LocalRegistry();
  LocalRegistry(const LocalRegistry&) = delete;
  LocalRegistry& operator=(const LocalRegistry&) = delete;

  /// "127.0.0.1:<port>"
  std::string host() const;
  int port() const { return port_; }
  /// Credentials accepted in htpasswd_tls mode.
  const std::string& username() const { return username_; }
  const std::string& password() const { return password_; }
  /// The CA (self-signed certificate) that signs the TLS certificate, in the TLS modes.
  std::filesystem::path ca_file() const;
  const std::filesystem::path& dir() const { return dir_.path(); }
  /// A client that can push here: the registry's own credentials and CA in the TLS modes,
  /// plain HTTP otherwise (anonymous, so not for token_plain).
  std::unique_ptr<oci::RegistryClient> client() const;
  /// Everything the registry has printed so far (for failure messages).
  std::string output() const;

 private:
  LocalRegistry(RegistryMode mode, const TokenAuth* token);

  RegistryMode mode_;
  TempDir dir_;
  int port_ = 0;
  std::string username_ = "kiln";
  std::string password_;
  std::unique_ptr<ChildProcess> process_;
};

/// A TCP port on 127.0.0.1 that was free a moment ago.
int free_port();

}  // namespace kiln::testing
