#include "oci/registry/error.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/log.h"
#include "oci/json.h"

namespace kiln::oci {
namespace {

// Codes that describe a server-side or rate condition rather than a fault in the request
// (distribution-spec error codes; ggcr transport/error.go uses the same set).
bool is_temporary_code(const std::string& code) {
  return code == "TOOMANYREQUESTS" || code == "UNAVAILABLE" || code == "UNKNOWN";
}

}  // namespace

RegistryError::RegistryError(int status, std::vector<std::string> codes, bool network_failure, const std::string& what)
    : Error(ExitClass::infra, log::redact(what)),
      status_(status),
      codes_(std::move(codes)),
      network_failure_(network_failure) {}

bool RegistryError::is_temporary() const {
  if (network_failure_) return true;
  const bool temporary_status = status_ == 408 || status_ == 429 || status_ >= 500;
  if (!temporary_status) return false;
  // A 5xx whose body names a definite fault (e.g. NAME_INVALID) will fail the same way again.
  return std::all_of(codes_.begin(), codes_.end(), is_temporary_code);
}

RegistryError RegistryError::with_prefix(std::string_view prefix) const {
  RegistryError copy(status_, codes_, network_failure_, fmt::format("{}: {}", prefix, what()));
  copy.retry_after_ = retry_after_;
  return copy;
}

RegistryErrorBody parse_error_body(std::string_view body) {
  RegistryErrorBody out;
  Json doc = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object() || !doc.contains("errors") || !doc["errors"].is_array()) return out;
  std::vector<std::string> parts;
  for (const auto& e : doc["errors"]) {
    if (!e.is_object()) continue;
    std::string code = e.value("code", "");
    std::string text = code;
    if (auto m = e.find("message"); m != e.end() && m->is_string() && !m->get<std::string>().empty())
      text += ": " + m->get<std::string>();
    // A string detail names the thing (MANIFEST_BLOB_UNKNOWN gives the digest); structured
    // ones restate the request (auth access lists) or hold whole manifests, burying the message.
    if (auto d = e.find("detail"); d != e.end() && d->is_string()) {
      const std::string detail = d->get<std::string>();
      if (!detail.empty() && detail.size() <= 200) text += " (" + detail + ")";
    }
    if (!code.empty()) out.codes.push_back(code);
    parts.push_back(text);
  }
  out.summary = fmt::format("{}", fmt::join(parts, "; "));
  return out;
}

}  // namespace kiln::oci
