#include "inspect/file_tree.h"

#include <deque>
#include <limits>

namespace kiln::inspect {
namespace {

// Linux's MAXSYMLINKS: the kernel gives ELOOP after this many links in one lookup.
constexpr int kMaxLinks = 40;

// The components of `path` in order; "" and "." dropped, ".." kept (it needs the directory
// before it to exist, as in the kernel's lookup).
std::deque<std::string> components(std::string_view path) {
  std::deque<std::string> parts;
  std::size_t start = 0;
  while (start <= path.size()) {
    auto slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    const auto part = path.substr(start, slash - start);
    if (!part.empty() && part != ".") parts.emplace_back(part);
    start = slash + 1;
  }
  return parts;
}

std::string join(const std::vector<std::string>& parts) {
  if (parts.empty()) return "/";
  std::string out;
  for (const auto& part : parts) out += "/" + part;
  return out;
}

}  // namespace

std::optional<std::string> FileTree::read_range(std::string_view path, std::uint64_t offset,
                                                std::uint64_t length) const {
  const std::uint64_t end = offset > std::numeric_limits<std::uint64_t>::max() - length
                                ? std::numeric_limits<std::uint64_t>::max()
                                : offset + length;
  auto prefix = read(path, end);
  if (!prefix) return std::nullopt;
  return offset < prefix->size() ? prefix->substr(offset, length) : std::string();
}

std::optional<std::string> resolve(const FileTree& tree, std::string_view path, bool follow_last) {
  // A trailing slash makes the kernel follow a final symlink ("link/" is the directory).
  if (!path.empty() && path.back() == '/') follow_last = true;
  std::deque<std::string> pending = components(path);
  std::vector<std::string> done;  // the real path so far, free of links
  int links = 0;
  while (!pending.empty()) {
    std::string part = std::move(pending.front());
    pending.pop_front();
    if (part == "..") {
      if (!done.empty()) done.pop_back();  // "/.." is "/": never above the image root
      continue;
    }
    done.push_back(std::move(part));
    const bool last = pending.empty();
    const auto stat = tree.lstat(join(done));
    if (!stat) return std::nullopt;
    if (stat->type == FileStat::Type::symlink && (!last || follow_last)) {
      if (++links > kMaxLinks || stat->link_target.empty()) return std::nullopt;
      done.pop_back();
      if (stat->link_target.front() == '/') done.clear();  // absolute: from the image root
      auto target = components(stat->link_target);
      pending.insert(pending.begin(), target.begin(), target.end());
      continue;
    }
    if (!last && stat->type != FileStat::Type::directory) return std::nullopt;
  }
  return join(done);
}

std::string parent_directory(std::string_view path) {
  const auto slash = path.rfind('/');
  return slash == 0 || slash == std::string_view::npos ? "/" : std::string(path.substr(0, slash));
}

}  // namespace kiln::inspect
