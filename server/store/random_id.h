#pragma once
// Identifiers and tokens kiln-server makes: random bytes from OpenSSL as lowercase hex, which is
// also valid in a Kubernetes object name.
#include <cstddef>
#include <string>

namespace kiln::server {

/// `bytes` random bytes as 2 * bytes hex digits. Throws kiln::Error(infra) when OpenSSL cannot
/// give random bytes: an id or a token is never made from less.
std::string random_hex(std::size_t bytes);

/// `prefix` followed by 16 hex digits: "build-…", "batch-…", "ctx-…".
inline std::string new_id(const std::string& prefix) { return prefix + random_hex(8); }

}  // namespace kiln::server
