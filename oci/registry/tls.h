#pragma once
// TLS client contexts for registries. Poco 1.11 checks the certificate chain but not that the
// certificate names the host we dialled (observed: a certificate for other.example was accepted
// for 127.0.0.1), so every context is made for one host and carries OpenSSL's own host check.
#include <Poco/Net/Context.h>

#include <string>

namespace kiln::oci {

/// A client context that trusts the system CAs plus `ca_file` (PEM, optional) and accepts only
/// a certificate valid for `host` (a DNS name or an IP literal, without port or brackets).
/// `verify` false (skip_tls_verify: a registry with a self-signed certificate the user chose
/// to trust blindly) accepts any certificate: the connection is encrypted, not authenticated.
Poco::Net::Context::Ptr make_tls_context(const std::string& host, const std::string& ca_file, bool verify = true);

}  // namespace kiln::oci
