#pragma once
// The OCI runtime config (config.json) the local driver gives runc: `runc spec`'s defaults,
// tightened for running an untrusted image's binaries. The container's confinement comes from
// one ContainerSecurity value (user, user namespace, capabilities, seccomp, limits); around it
// the bundle always has a read-only root, kiln-probe and the request bind-mounted read-only
// under /.kiln, a private network namespace with nothing but lo, /tmp a tmpfs, /proc, a
// minimal /dev, no /sys.
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "verify/driver/local/container_security.h"
#include "verify/spec/run_options.h"

namespace kiln::verify {

inline constexpr const char* kProbeInContainer = "/.kiln/kiln-probe";
inline constexpr const char* kRequestInContainer = "/.kiln/request.json";
/// The container's own cgroup, read-only, where a memory limit is set: kiln-probe reads its
/// out-of-memory kill counter there to tell a command killed for memory from other deaths.
inline constexpr const char* kCgroupInContainer = "/.kiln/cgroup";

struct BundleSpec {
  std::filesystem::path probe;    ///< host path of the static kiln-probe
  std::filesystem::path request;  ///< host path of the request JSON
  std::vector<std::string> env;   ///< the image config's Env
  std::string rootfs = "rootfs";  ///< relative to the bundle
  ContainerSecurity security;
  /// containerRunOptions' bindMounts: host paths mounted into the container (nosuid, nodev).
  std::vector<BindMount> bind_mounts;
};

/// config.json for `runc run`; the process is `kiln-probe check --request <request>`.
nlohmann::json runc_config(const BundleSpec& spec);

}  // namespace kiln::verify
