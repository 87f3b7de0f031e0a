#pragma once
// Everything that confines the container kiln-probe runs in, as one value: who it runs as, in
// which user namespace, with which capabilities, syscalls and limits. runc_bundle.cpp turns it
// into config.json in one place; the local driver fills it from the image, its settings and
// what the machine supports (sandbox_support.h).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "verify/driver/local/id_mapping.h"
#include "verify/driver/local/image_user.h"

namespace kiln::verify {

struct ContainerSecurity {
  ProcessUser user;  ///< ids inside the container (inside the user namespace, when there is one)
  /// The process's bounding, permitted and effective capabilities ("CAP_NET_BIND_SERVICE");
  /// empty: none at all.
  std::vector<std::string> capabilities;
  bool no_new_privileges = true;
  bool read_only_root = true;
  /// Docker's default seccomp profile, resolved for `capabilities` (seccomp_profile.h).
  bool seccomp = true;
  /// nullopt: no user namespace, container ids are host ids.
  std::optional<IdMapping> user_namespace;
  bool cgroup_namespace = true;
  /// Memory of the whole container, commands included; nullopt: no limit.
  std::optional<std::uint64_t> memory_bytes;
  bool limit_swap = true;  ///< memory plus swap limited to memory_bytes: no swapping past the limit
  std::optional<std::int64_t> pids;  ///< processes and threads; nullopt: no limit
  std::uint64_t open_files = 1024;   ///< RLIMIT_NOFILE
  /// RLIMIT_FSIZE when the root is writable: the largest file a command may write.
  std::uint64_t max_file_bytes = 1ull << 30;
  /// Docker's --privileged view of the kernel: /proc not masked, /proc/sys and /sys writable.
  bool unmasked = false;
  friend bool operator==(const ContainerSecurity&, const ContainerSecurity&) = default;
};

}  // namespace kiln::verify
