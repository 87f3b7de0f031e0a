#pragma once
// What this machine lets runc put around kiln-probe, found out once per process: a user
// namespace, a cgroup namespace, seccomp, and the memory and pids cgroup controllers. The
// local driver uses what there is and warns, naming it, about what there is not.
#include <filesystem>
#include <string>

namespace kiln::verify {

struct SandboxSupport {
  /// Why the probe cannot have a user namespace here; empty when it can.
  std::string no_user_namespace;
  bool cgroup_namespace = false;
  bool seccomp = false;
  bool cgroup_v2 = false;
  bool memory = false;       ///< the memory controller
  bool memory_swap = false;  ///< swap can be limited too (cgroup v1 needs swap accounting)
  bool pids = false;         ///< the pids controller
};

/// This machine's support, detected on the first call.
const SandboxSupport& sandbox_support();

/// Detects from `proc` and `cgroup_root` (tests pass other trees; user namespaces are tried for
/// real with unshare(2) in a child process).
SandboxSupport detect_sandbox_support(const std::filesystem::path& proc = "/proc",
                                      const std::filesystem::path& cgroup_root = "/sys/fs/cgroup");

}  // namespace kiln::verify
