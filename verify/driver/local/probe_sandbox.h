#pragma once
// The confinement of the container kiln-probe runs in for the local driver: the image's user in
// a user namespace, no capabilities, Docker's default seccomp profile, memory and process
// limits — each where this machine supports it, with a warning naming what it lacks.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "verify/driver/command_container.h"
#include "verify/driver/local/container_security.h"
#include "verify/driver/local/sandbox_support.h"

namespace kiln::verify {

/// The probe's user namespace: image ids 0 to 2^30 - 1 are host ids 2^30 to 2^31 - 1, a range
/// no host account uses by convention and below the ids some tools read as negative.
inline constexpr IdMapping kProbeIds{.container_id = 0, .host_id = 1u << 30, .size = 1u << 30};

struct ProbeLimits {
  std::optional<std::uint64_t> memory_bytes;  ///< nullopt: no limit
  std::optional<std::int64_t> pids;           ///< nullopt: no limit
};

/// The ids the rootfs is unpacked with and the probe runs in: kProbeIds, or nullopt (host ids)
/// where the machine gives no user namespace.
std::optional<IdMapping> probe_ids(const SandboxSupport& support);

struct ProbeSandbox {
  ContainerSecurity security;
  std::vector<std::string> warnings;  ///< one per protection the machine lacks
  std::string summary;                ///< what the container gets, for the log
};

/// Throws kiln::Error(infra) when `user` lies outside the user namespace's ids.
ProbeSandbox probe_sandbox(const ProcessUser& user, const ProbeLimits& limits, const SandboxSupport& support);

/// containerRunOptions on top of the sandbox: `capabilities` replace the (empty) set, with
/// Docker's seccomp profile opened for them; `privileged` gives every capability, no seccomp
/// filter, unmasked /proc, a /sys and new privileges, still inside the user namespace where there
/// is one; `writable_root` a writable root. The user is the caller's (already in `sandbox`).
void apply_container_options(ProbeSandbox& sandbox, const CommandContainer& container);

}  // namespace kiln::verify
