#include "inspect/ld_so_conf.h"

#include <fnmatch.h>

#include <set>
#include <sstream>

#include "core/text.h"

namespace kiln::inspect {
namespace {

constexpr std::uint64_t kMaxConfBytes = 1 << 20;
constexpr int kMaxIncludeDepth = 16;  // a file that includes itself stops here at the latest

std::vector<std::string> split_words(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> words;
  for (std::string word; in >> word;) words.push_back(word);
  return words;
}

// The image files matching `pattern` (absolute, wildcards in any component), sorted.
std::vector<std::string> glob(const FileTree& tree, const std::string& pattern) {
  std::vector<std::string> matches = {""};
  std::istringstream in(pattern);
  for (std::string part; std::getline(in, part, '/');) {
    if (part.empty()) continue;
    std::vector<std::string> next;
    for (const auto& prefix : matches) {
      if (part.find_first_of("*?[") == std::string::npos) {
        next.push_back(prefix + "/" + part);
        continue;
      }
      const auto directory = resolve(tree, prefix.empty() ? "/" : prefix, true);
      if (!directory) continue;
      for (const auto& name : tree.list(*directory))
        if (::fnmatch(part.c_str(), name.c_str(), FNM_PERIOD) == 0) next.push_back(prefix + "/" + name);
    }
    matches = std::move(next);
  }
  return matches;
}

class ConfReader {
 public:
  explicit ConfReader(const FileTree& tree) : tree_(tree) {}

  void read_file(const std::string& path, int depth) {
    if (depth > kMaxIncludeDepth) return;
    const auto resolved = resolve(tree_, path, true);
    if (!resolved) return;
    const auto text = tree_.read(*resolved, kMaxConfBytes);
    if (!text) return;
    std::istringstream lines(*text);
    for (std::string line; std::getline(lines, line);) {
      line = std::string(trim(std::string_view(line).substr(0, line.find('#'))));
      if (line.empty()) continue;
      const auto words = split_words(line);
      if (words[0] == "include" && words.size() > 1) {
        for (std::size_t i = 1; i < words.size(); ++i) {
          const std::string pattern = words[i][0] == '/' ? words[i] : parent_directory(path) + "/" + words[i];
          for (const auto& included : glob(tree_, pattern)) read_file(included, depth + 1);
        }
      } else if (words[0] == "hwcap") {
        continue;
      } else if (line[0] == '/') {
        while (line.size() > 1 && line.back() == '/') line.pop_back();
        if (seen_.insert(line).second) directories_.push_back(line);
      }
    }
  }

  std::vector<std::string> directories() && { return std::move(directories_); }

 private:
  const FileTree& tree_;
  std::vector<std::string> directories_;
  std::set<std::string> seen_;
};

}  // namespace

std::vector<std::string> ld_so_conf_directories(const FileTree& tree) {
  ConfReader reader(tree);
  reader.read_file("/etc/ld.so.conf", 0);
  return std::move(reader).directories();
}

}  // namespace kiln::inspect
