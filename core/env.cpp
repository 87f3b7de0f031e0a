#include "core/env.h"

extern char** environ;

namespace kiln {

Env Env::from_process() {
  Env env;
  for (char** p = environ; p && *p; ++p) {
    std::string entry(*p);
    auto eq = entry.find('=');
    if (eq == std::string::npos) continue;
    env.vars.emplace(entry.substr(0, eq), entry.substr(eq + 1));
  }
  return env;
}

std::optional<std::string> Env::get(const std::string& name) const {
  auto it = vars.find(name);
  if (it == vars.end() || it->second.empty()) return std::nullopt;
  return it->second;
}

}  // namespace kiln
