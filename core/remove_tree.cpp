#include "core/remove_tree.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "core/unique_fd.h"

namespace kiln {
namespace {

constexpr int kMaxDepth = 4096;

bool gone(int result) { return result == 0 || errno == ENOENT; }

// Empties the directory open as `fd` (which it owns); false when something stayed.
bool empty_directory(UniqueFd fd, int depth) {
  DIR* dir = ::fdopendir(fd.get());
  if (!dir) return false;
  const int dir_fd = fd.release();  // closedir closes it
  // Names first, removal after: unlinking while readdir runs may skip entries.
  std::vector<std::pair<std::string, bool>> entries;  // {name, is a directory}
  while (const dirent* entry = ::readdir(dir)) {
    const std::string name = entry->d_name;
    if (name == "." || name == "..") continue;
    bool directory = entry->d_type == DT_DIR;
    if (entry->d_type == DT_UNKNOWN) {
      struct stat st {};
      directory = ::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
    }
    entries.emplace_back(name, directory);
  }
  bool ok = true;
  for (const auto& [name, directory] : entries) {
    if (directory && depth < kMaxDepth) {
      UniqueFd child(::openat(dir_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (!child) {  // replaced by a file or a link since it was listed
        ok = gone(::unlinkat(dir_fd, name.c_str(), 0)) && ok;
        continue;
      }
      ok = empty_directory(std::move(child), depth + 1) && ok;
      ok = gone(::unlinkat(dir_fd, name.c_str(), AT_REMOVEDIR)) && ok;
    } else if (!directory) {
      // Replaced by a directory since it was listed: unlinkat fails with EISDIR and it stays.
      ok = gone(::unlinkat(dir_fd, name.c_str(), 0)) && ok;
    } else {
      ok = false;
    }
  }
  ::closedir(dir);
  return ok;
}

}  // namespace

bool remove_tree_at(int dir_fd, const std::string& name) {
  if (::unlinkat(dir_fd, name.c_str(), 0) == 0 || errno == ENOENT) return true;  // a file or a link
  if (errno != EISDIR && errno != EPERM) return false;  // Linux says EISDIR; POSIX allows EPERM
  UniqueFd fd(::openat(dir_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd) return errno == ENOENT;
  const bool emptied = empty_directory(std::move(fd), 1);
  return gone(::unlinkat(dir_fd, name.c_str(), AT_REMOVEDIR)) && emptied;
}

bool remove_tree(const std::filesystem::path& path) {
  const std::filesystem::path parent = path.has_parent_path() ? path.parent_path() : ".";
  const std::string name = path.filename().string();
  if (name.empty() || name == "." || name == "..") return false;
  UniqueFd dir(::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir) return errno == ENOENT;
  return remove_tree_at(dir.get(), name);
}

}  // namespace kiln
