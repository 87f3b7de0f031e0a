#include "inspect/oom_kills.h"

#include <fstream>
#include <sstream>

namespace kiln::inspect {
namespace {

// The value of `key` in a file of "key value" lines.
std::optional<std::uint64_t> keyed_value(const std::string& path, const std::string& key) {
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    std::istringstream fields(line);
    std::string name;
    std::uint64_t value = 0;
    if (fields >> name >> value && name == key) return value;
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::uint64_t> read_oom_kills(const std::string& cgroup_dir) {
  if (cgroup_dir.empty()) return std::nullopt;
  if (auto v2 = keyed_value(cgroup_dir + "/memory.events", "oom_kill")) return v2;
  return keyed_value(cgroup_dir + "/memory/memory.oom_control", "oom_kill");
}

}  // namespace kiln::inspect
