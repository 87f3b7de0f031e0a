#include "tests/support/processes.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

namespace kiln::testing {
namespace {

// The fields after "pid (comm) ": comm may hold spaces and parentheses, so from the last ')'.
std::string stat_after_comm(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat;
  if (!std::getline(in, stat)) return "";
  const auto close = stat.rfind(')');
  return close == std::string::npos || close + 2 > stat.size() ? "" : stat.substr(close + 2);
}

}  // namespace

std::map<int, int> process_parents() {
  std::map<int, int> out;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::istringstream rest(stat_after_comm(std::stoi(name)));
    std::string state;
    int ppid = 0;
    if (rest >> state >> ppid) out[std::stoi(name)] = ppid;
  }
  return out;
}

std::string process_cmdline(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline", std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), {});
  for (char& c : text)
    if (c == '\0') c = ' ';
  return text;
}

bool process_alive(int pid) {
  const std::string rest = stat_after_comm(pid);
  return !rest.empty() && rest[0] != 'Z';
}

std::vector<int> process_descendants(int ancestor) {
  const std::map<int, int> parents = process_parents();
  std::vector<int> found;
  bool grew = true;
  while (grew) {  // each pass adds the next generation; at most as many passes as processes
    grew = false;
    for (const auto& [pid, ppid] : parents) {
      const bool below = ppid == ancestor || std::find(found.begin(), found.end(), ppid) != found.end();
      if (below && std::find(found.begin(), found.end(), pid) == found.end()) {
        found.push_back(pid);
        grew = true;
      }
    }
  }
  return found;
}

}  // namespace kiln::testing
