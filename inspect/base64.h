#pragma once
// Base64 through OpenSSL (linked static into kiln-probe, which has no Poco): file contents and
// command output are bytes, and JSON strings must be UTF-8.
#include <string>
#include <string_view>

namespace kiln::inspect {
std::string base64_encode(std::string_view bytes);
/// Throws kiln::Error(infra) naming `what` when `text` is not base64.
std::string base64_decode(std::string_view text, std::string_view what);
}  // namespace kiln::inspect
