#include "oci/registry/tls.h"

#include <Poco/Net/RejectCertificateHandler.h>
#include <Poco/Net/SSLManager.h>
#include <arpa/inet.h>
#include <fmt/format.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <filesystem>
#include <mutex>

#include "core/error.h"

namespace kiln::oci {
namespace {

bool is_ip_literal(const std::string& host) {
  unsigned char buf[16];
  return inet_pton(AF_INET, host.c_str(), buf) == 1 || inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

// Poco's SSLManager is process-wide. Left alone it builds a handler from application
// configuration, which may be the console handler that asks a person whether to trust a
// certificate; a CI step must never wait on a prompt, so a bad certificate is rejected.
void initialise_ssl_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    Poco::Net::initializeSSL();
    Poco::Net::SSLManager::InvalidCertificateHandlerPtr reject(new Poco::Net::RejectCertificateHandler(false));
    Poco::Net::Context::Ptr fallback(
        new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, "", Poco::Net::Context::VERIFY_RELAXED, 9, true));
    Poco::Net::SSLManager::instance().initializeClient(nullptr, reject, fallback);
  });
}

}  // namespace

Poco::Net::Context::Ptr make_tls_context(const std::string& host, const std::string& ca_file, bool verify) {
  initialise_ssl_once();
  if (!verify)
    return Poco::Net::Context::Ptr(new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, "",
                                                          Poco::Net::Context::VERIFY_NONE, 9, false));
  if (!ca_file.empty() && !std::filesystem::is_regular_file(ca_file))
    throw_usage(fmt::format("CA file '{}' for {} does not exist", ca_file, host));
  Poco::Net::Context::Ptr context(new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, ca_file,
                                                         Poco::Net::Context::VERIFY_RELAXED, 9,
                                                         /*loadDefaultCAs=*/true));
  X509_VERIFY_PARAM* param = SSL_CTX_get0_param(context->sslContext());
  // A mismatch now fails the handshake itself, before any request (or credential) is sent.
  const int set = is_ip_literal(host) ? X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str())
                                      : X509_VERIFY_PARAM_set1_host(param, host.c_str(), host.size());
  if (set != 1) throw_infra(fmt::format("cannot set up TLS host verification for '{}'", host));
  return context;
}

}  // namespace kiln::oci
