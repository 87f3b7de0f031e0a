#include "verify/driver/local/sandbox_support.h"

#include <fmt/format.h>
#include <linux/magic.h>
#include <sched.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <sstream>

#include "core/read_file.h"

namespace kiln::verify {
namespace {

namespace fs = std::filesystem;

// /proc and /sys files of a few lines; empty when absent (the feature is then judged missing).
std::string read_text(const fs::path& path) {
  constexpr std::size_t max_kernel_file_bytes = 1 << 20;
  return read_file(path, max_kernel_file_bytes, "kernel file").value_or("");
}

bool has_word(const std::string& text, const std::string& word) {
  std::istringstream in(text);
  for (std::string w; in >> w;)
    if (w == word) return true;
  return false;
}

// Whether /proc/cgroups lists `controller` as enabled (cgroup v1).
bool enabled_v1(const fs::path& proc, const std::string& controller) {
  std::istringstream in(read_text(proc / "cgroups"));
  for (std::string line; std::getline(in, line);) {
    std::istringstream fields(line);
    std::string name;
    int hierarchy = 0, count = 0, enabled = 0;
    if (fields >> name >> hierarchy >> count >> enabled && name == controller) return enabled == 1;
  }
  return false;
}

// The kernel's answer to unshare(CLONE_NEWUSER), asked in a child so this process stays as it
// is; empty when it agreed.
std::string try_user_namespace() {
  const pid_t child = ::fork();
  if (child < 0) return fmt::format("cannot fork to try one: {}", std::strerror(errno));
  if (child == 0) ::_exit(::unshare(CLONE_NEWUSER) == 0 ? 0 : (errno & 0xff));
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return {};
  if (WIFEXITED(status))
    return fmt::format("the kernel refused one: unshare(CLONE_NEWUSER) failed with {}", std::strerror(WEXITSTATUS(status)));
  return "the process trying one did not exit normally";
}

std::string user_namespace_problem(const fs::path& proc) {
  // Mapping a range of host ids that are not one's own needs CAP_SETUID in the initial namespace.
  if (::geteuid() != 0) return fmt::format("kiln-verify runs as uid {}, and mapping the probe's ids needs root", ::geteuid());
  if (!fs::exists(proc / "self/ns/user")) return "the kernel has no user namespaces (CONFIG_USER_NS)";
  const std::string max = read_text(proc / "sys/user/max_user_namespaces");
  if (!max.empty() && std::strtoll(max.c_str(), nullptr, 10) == 0) return "user namespaces are switched off (/proc/sys/user/max_user_namespaces is 0)";
  return try_user_namespace();
}

}  // namespace

SandboxSupport detect_sandbox_support(const fs::path& proc, const fs::path& cgroup_root) {
  SandboxSupport support;
  support.no_user_namespace = user_namespace_problem(proc);
  support.cgroup_namespace = fs::exists(proc / "self/ns/cgroup");
  support.seccomp = read_text(proc / "self/status").find("\nSeccomp:") != std::string::npos;
  struct statfs fs_info {};
  support.cgroup_v2 = ::statfs(cgroup_root.c_str(), &fs_info) == 0 && fs_info.f_type == CGROUP2_SUPER_MAGIC;
  if (support.cgroup_v2) {
    const std::string controllers = read_text(cgroup_root / "cgroup.controllers");
    support.memory = has_word(controllers, "memory");
    support.memory_swap = support.memory;  // runc leaves memory.swap.max alone where there is no swap
    support.pids = has_word(controllers, "pids");
  } else {
    support.memory = enabled_v1(proc, "memory") && fs::exists(cgroup_root / "memory/memory.limit_in_bytes");
    support.memory_swap = support.memory && fs::exists(cgroup_root / "memory/memory.memsw.limit_in_bytes");
    support.pids = enabled_v1(proc, "pids") && fs::exists(cgroup_root / "pids/cgroup.procs");
  }
  return support;
}

const SandboxSupport& sandbox_support() {
  static const SandboxSupport support = detect_sandbox_support();
  return support;
}

}  // namespace kiln::verify
