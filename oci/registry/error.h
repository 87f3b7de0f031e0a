#pragma once
// A failed registry operation. It always names the registry and the operation, never a
// credential, and can say whether trying again may help.
#include <string>
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
  /// 408, 429, 5xx (and TOOMANYREQUESTS / UNAVAILABLE), connection resets and time-outs.
  bool is_temporary() const;

 private:
  int status_;
  std::vector<std::string> codes_;
  bool network_failure_;
};

}  // namespace kiln::oci
