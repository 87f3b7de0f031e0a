#include "kubernetes/tls_context.h"

#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <memory>

#include "core/error.h"
#include "oci/registry/tls.h"

namespace kiln::kubernetes {
namespace {

struct BioFree { void operator()(BIO* b) const { BIO_free(b); } };
struct X509Free { void operator()(X509* x) const { X509_free(x); } };
struct KeyFree { void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); } };
struct StoreFree { void operator()(X509_STORE* s) const { X509_STORE_free(s); } };
using BioPtr = std::unique_ptr<BIO, BioFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;

BioPtr memory_bio(const std::string& pem) {
  return BioPtr(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
}

// Every certificate of a PEM bundle, in order; none at all is an error.
std::vector<X509Ptr> read_certificates(const std::string& pem, const std::string& what) {
  std::vector<X509Ptr> certs;
  BioPtr bio = memory_bio(pem);
  while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) certs.emplace_back(cert);
  ERR_clear_error();  // the loop ends on "no start line", which is not a failure
  if (certs.empty()) throw_usage(fmt::format("{} holds no PEM certificate", what));
  return certs;
}

}  // namespace

Poco::Net::Context::Ptr make_cluster_tls_context(const ClusterConfig& config, const std::string& host) {
  // make_tls_context sets up Poco's SSL manager (no interactive certificate prompt) and makes
  // OpenSSL check the host name during the handshake.
  Poco::Net::Context::Ptr context = oci::make_tls_context(host, "");
  SSL_CTX* ssl = context->sslContext();
  if (config.insecure_skip_tls_verify) {
    SSL_CTX_set_verify(ssl, SSL_VERIFY_NONE, nullptr);
    context->enableExtendedCertificateVerification(false);
  } else if (!config.ca_pem.empty()) {
    // Owned here until the context takes it: a CA that is not PEM throws before that.
    std::unique_ptr<X509_STORE, StoreFree> store(X509_STORE_new());
    for (auto& cert : read_certificates(config.ca_pem, fmt::format("the CA of {}", config.source)))
      X509_STORE_add_cert(store.get(), cert.get());
    SSL_CTX_set_cert_store(ssl, store.release());  // replaces the system CAs; the context owns it now
  }
  if (!config.client_certificate_pem.empty()) {
    auto chain = read_certificates(config.client_certificate_pem, fmt::format("the client certificate of {}", config.source));
    if (SSL_CTX_use_certificate(ssl, chain.front().get()) != 1)
      throw_usage(fmt::format("the client certificate of {} cannot be used", config.source));
    for (std::size_t i = 1; i < chain.size(); ++i) {
      if (SSL_CTX_add_extra_chain_cert(ssl, chain[i].get()) == 1) chain[i].release();  // now owned by ssl
    }
    BioPtr bio = memory_bio(config.client_key_pem);
    std::unique_ptr<EVP_PKEY, KeyFree> key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
    ERR_clear_error();
    if (!key) throw_usage(fmt::format("the client key of {} is not a PEM private key", config.source));
    if (SSL_CTX_use_PrivateKey(ssl, key.get()) != 1 || SSL_CTX_check_private_key(ssl) != 1) {
      ERR_clear_error();
      throw_usage(fmt::format("the client key of {} does not match its client certificate", config.source));
    }
  }
  return context;
}

}  // namespace kiln::kubernetes
