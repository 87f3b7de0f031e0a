#include "oci/registry/scope.h"

#include <algorithm>
#include <set>

namespace kiln::oci::scope {

std::string pull(const std::string& repository) { return "repository:" + repository + ":pull"; }
std::string push(const std::string& repository) { return "repository:" + repository + ":push,pull"; }

std::vector<std::string> merge(const std::vector<std::string>& current, const std::vector<std::string>& requested) {
  std::vector<std::string> out;
  auto add = [&](const std::string& s) {
    if (!s.empty() && std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
  };
  for (const auto& s : requested) add(s);
  for (const auto& s : current) add(s);
  return out;
}

std::string cache_key(const std::vector<std::string>& scopes) {
  std::set<std::string> sorted(scopes.begin(), scopes.end());
  std::string key;
  for (const auto& s : sorted) key += s + ' ';
  return key;
}

}  // namespace kiln::oci::scope
