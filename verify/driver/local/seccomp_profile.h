#pragma once
// Docker's default seccomp profile (seccomp/docker-default.json, from moby/profiles; see
// seccomp/NOTICE), resolved for one container as Docker resolves it: a rule is kept or dropped
// by the machine's architecture, the container's capabilities and the kernel's version, and
// what is left is the `linux.seccomp` object of an OCI runtime config.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace kiln::verify {

struct SeccompTarget {
  std::string architecture;               ///< OCI/Go name of the machine ("amd64", "arm64", ...)
  std::vector<std::string> capabilities;  ///< the container's bounding set ("CAP_SYS_ADMIN", ...)
  int kernel_major = 0;                   ///< the running kernel, as uname(2) reports it
  int kernel_minor = 0;
};

/// `profile` in moby's template form (archMap, includes/excludes) turned into an OCI
/// `linux.seccomp` object for `target`. Throws kiln::Error(infra) when the profile is not one.
nlohmann::json resolve_seccomp_profile(const nlohmann::json& profile, const SeccompTarget& target);

/// Docker's default profile, as compiled into kiln-verify.
const nlohmann::json& docker_default_seccomp_profile();

/// `target` for this machine and kernel with `capabilities`.
SeccompTarget this_machine(std::vector<std::string> capabilities);

}  // namespace kiln::verify
