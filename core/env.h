#pragma once
// The process environment read once into a value, so that settings code is testable with a
// literal map and nothing ever calls setenv.
#include <map>
#include <optional>
#include <string>

namespace kiln {

struct Env {
  std::map<std::string, std::string> vars;

  static Env from_process();
  /// Empty values count as unset, as CI systems export unset settings as "".
  std::optional<std::string> get(const std::string& name) const;
};

}  // namespace kiln
