#pragma once
// The TLS client context for an API server: its CA (only that CA when one is given, as kubectl
// trusts it), the host check, and the client certificate, all from memory.
#include <Poco/Net/Context.h>

#include <string>

#include "kubernetes/cluster_config.h"

namespace kiln::kubernetes {

/// Throws kiln::Error(usage) naming `config.source` when a certificate or key does not parse
/// or the key does not match the certificate (never printing the key).
Poco::Net::Context::Ptr make_cluster_tls_context(const ClusterConfig& config, const std::string& host);

}  // namespace kiln::kubernetes
