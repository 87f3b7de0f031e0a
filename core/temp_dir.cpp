#include "core/temp_dir.h"

#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string_view>

#include "core/error.h"
#include "core/remove_tree.h"
#include "core/unique_fd.h"

namespace kiln {
namespace {

std::filesystem::path temp_base() {
  const char* base = std::getenv("TMPDIR");
  return base && *base ? base : "/tmp";
}

std::optional<std::uint64_t> process_start_time(std::int64_t pid) {
  std::ifstream in(fmt::format("/proc/{}/stat", pid));
  std::string stat;
  if (!std::getline(in, stat)) return std::nullopt;
  // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so count from the last ')'.
  const auto close = stat.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream fields(stat.substr(close + 1));
  std::string field;
  for (int number = 3; number <= 22 && fields >> field; ++number)
    if (number == 22) {
      std::uint64_t ticks = 0;
      const auto [end, ec] = std::from_chars(field.data(), field.data() + field.size(), ticks);
      if (ec == std::errc() && end == field.data() + field.size()) return ticks;
    }
  return std::nullopt;
}

std::uint64_t own_pid_namespace() {
  struct stat st {};
  return ::stat("/proc/self/ns/pid", &st) == 0 ? st.st_ino : 0;
}

const TempDirOwner& this_process() {
  static const TempDirOwner owner{.pid = ::getpid(),
                                  .start_time = process_start_time(::getpid()).value_or(0),
                                  .pid_namespace = own_pid_namespace()};
  return owner;
}

bool owner_alive(const TempDirOwner& owner) {
  if (::kill(static_cast<pid_t>(owner.pid), 0) != 0 && errno == ESRCH) return false;
  const auto start = process_start_time(owner.pid);
  // A pid in use by a process that started at another time was reused: the owner is gone.
  // Unreadable: assume alive.
  return !start || *start == owner.start_time;
}

bool number(std::string_view text, auto& out) {
  if (text.empty()) return false;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

}  // namespace

TempDir::TempDir(const std::string& prefix) {
  const TempDirOwner& owner = this_process();
  registration_ = stop_signals::add_path([&] {
    std::string templ = (temp_base() / fmt::format("{}.pid{}-{}-{}.XXXXXX", prefix, owner.pid, owner.start_time,
                                                    owner.pid_namespace))
                            .string();
    if (!::mkdtemp(templ.data()))
      throw_infra(fmt::format("cannot create a temporary directory in {}: {}", templ, std::strerror(errno)));
    path_ = templ;
    return path_;
  });
}

TempDir::TempDir(TempDir&& other) noexcept
    : path_(std::move(other.path_)), registration_(std::exchange(other.registration_, std::nullopt)) {
  other.path_.clear();
}

TempDir::~TempDir() {
  if (!path_.empty()) remove_tree(path_);
  if (registration_) stop_signals::remove_path(*registration_);
}

std::optional<TempDirOwner> temp_dir_owner(const std::string& name) {
  // <prefix>.pid<pid>-<start>-<namespace>.XXXXXX, the prefix starting with "kiln".
  if (!name.starts_with("kiln")) return std::nullopt;
  const auto random = name.rfind('.');
  if (random == std::string::npos || name.size() - random - 1 != 6) return std::nullopt;
  const auto tag = name.rfind(".pid", random - 1);
  if (tag == std::string::npos) return std::nullopt;
  const std::string_view owner_text = std::string_view(name).substr(tag + 4, random - tag - 4);
  const auto first = owner_text.find('-'), second = owner_text.find('-', first + 1);
  if (first == std::string_view::npos || second == std::string_view::npos) return std::nullopt;
  TempDirOwner owner;
  if (!number(owner_text.substr(0, first), owner.pid) ||
      !number(owner_text.substr(first + 1, second - first - 1), owner.start_time) ||
      !number(owner_text.substr(second + 1), owner.pid_namespace) || owner.pid <= 0)
    return std::nullopt;
  return owner;
}

std::vector<std::filesystem::path> remove_abandoned_temp_dirs(const std::filesystem::path& base_dir) {
  std::vector<std::filesystem::path> removed;
  const std::filesystem::path base = base_dir.empty() ? temp_base() : base_dir;
  const std::uint64_t namespace_here = this_process().pid_namespace;
  if (namespace_here == 0) return removed;  // no /proc: no way to tell who is alive
  UniqueFd dir_fd(::open(base.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir_fd) return removed;
  std::vector<std::string> candidates;
  {
    DIR* dir = ::fdopendir(::dup(dir_fd.get()));
    if (!dir) return removed;
    while (const dirent* entry = ::readdir(dir)) {
      const std::string name = entry->d_name;
      const auto owner = temp_dir_owner(name);
      if (owner && owner->pid_namespace == namespace_here && !owner_alive(*owner)) candidates.push_back(name);
    }
    ::closedir(dir);
  }
  for (const std::string& name : candidates) {
    struct stat st {};
    if (::fstatat(dir_fd.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
    if (!S_ISDIR(st.st_mode) || st.st_uid != ::geteuid()) continue;
    if (remove_tree_at(dir_fd.get(), name)) removed.push_back(base / name);
  }
  return removed;
}

}  // namespace kiln
