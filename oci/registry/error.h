#pragma once
// A failed registry operation. It always names the registry and the operation, never a
// credential, and can say whether trying again may help.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace kiln::oci {

class RegistryError : public Error {
 public:
  /// `status` is the HTTP status (0 for a network failure); `codes` the distribution error
  /// codes of the body ("MANIFEST_UNKNOWN", "DENIED", ...).
  RegistryError(int status, std::vector<std::string> codes, bool network_failure, const std::string& what);

  int status() const { return status_; }
  const std::vector<std::string>& codes() const { return codes_; }
  bool network_failure() const { return network_failure_; }
  /// 408, 429, 5xx (and TOOMANYREQUESTS / UNAVAILABLE), connection resets and time-outs.
  bool is_temporary() const;
  /// The server's Retry-After (delta seconds), when it sent one.
  const std::optional<std::chrono::seconds>& retry_after() const { return retry_after_; }
  void set_retry_after(std::optional<std::chrono::seconds> value) { retry_after_ = value; }

  /// The same failure with "<prefix>: " in front of the message (adds the registry/operation).
  [[nodiscard]] RegistryError with_prefix(std::string_view prefix) const;

 private:
  int status_;
  std::vector<std::string> codes_;
  bool network_failure_;
  std::optional<std::chrono::seconds> retry_after_;
};

/// The parts of a distribution error body {"errors":[{"code","message","detail"}]}.
struct RegistryErrorBody {
  std::vector<std::string> codes;
  std::string summary;  ///< "CODE: message (detail); CODE2: ..." or empty when not JSON
};
RegistryErrorBody parse_error_body(std::string_view body);

}  // namespace kiln::oci
