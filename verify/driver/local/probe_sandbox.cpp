#include "verify/driver/local/probe_sandbox.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/byte_quantity.h"
#include "core/error.h"
#include "verify/spec/run_options.h"

namespace kiln::verify {

std::optional<IdMapping> probe_ids(const SandboxSupport& support) {
  if (!support.no_user_namespace.empty()) return std::nullopt;
  return kProbeIds;
}

ProbeSandbox probe_sandbox(const ProcessUser& user, const ProbeLimits& limits, const SandboxSupport& support) {
  ProbeSandbox out;
  ContainerSecurity& security = out.security;
  security.user = user;
  security.user_namespace = probe_ids(support);
  const char* controllers = support.cgroup_v2 ? "cgroup v2" : "cgroup v1";
  if (const auto& ids = security.user_namespace) {
    std::vector<std::uint64_t> wanted = {user.uid, user.gid};
    wanted.insert(wanted.end(), user.additional_gids.begin(), user.additional_gids.end());
    for (const std::uint64_t id : wanted)
      if (!ids->to_host(id))
        throw_infra(fmt::format("the image's user {}:{} uses id {}, beyond the ids kiln-probe's user namespace maps "
                                "({} to {})",
                                user.uid, user.gid, id, ids->container_id, ids->container_id + (ids->size - 1ull)));
  } else {
    out.warnings.push_back(fmt::format(
        "kiln-probe runs without a user namespace ({}): the image's uid {} and gid {} are the same ids on this host",
        support.no_user_namespace, user.uid, user.gid));
  }
  security.cgroup_namespace = support.cgroup_namespace;
  security.seccomp = support.seccomp;
  if (!support.seccomp)
    out.warnings.push_back("kiln-probe runs without a seccomp filter: this kernel has no seccomp (/proc/self/status "
                           "has no Seccomp line)");
  if (limits.memory_bytes && !support.memory)
    out.warnings.push_back(fmt::format("kiln-probe's container has no memory limit: {} has no memory controller here",
                                       controllers));
  if (limits.memory_bytes && support.memory) {
    security.memory_bytes = limits.memory_bytes;
    security.limit_swap = support.memory_swap;
    if (!support.memory_swap)
      out.warnings.push_back("kiln-probe's memory limit does not cover swap: this kernel does not account swap in "
                             "cgroup v1 (boot with swapaccount=1)");
  }
  if (limits.pids && !support.pids)
    out.warnings.push_back(fmt::format("kiln-probe's container has no process limit: {} has no pids controller here",
                                       controllers));
  if (limits.pids && support.pids) security.pids = limits.pids;

  const std::string ids_text =
      security.user_namespace
          ? fmt::format("user namespace (image ids 0-{} are host ids {}-{})", security.user_namespace->size - 1ull,
                        security.user_namespace->host_id,
                        security.user_namespace->host_id + (security.user_namespace->size - 1ull))
          : std::string("no user namespace");
  out.summary = fmt::format(
      "kiln-probe's container: uid {} gid {}, {}, no capabilities, no_new_privileges, {}, memory {}, processes {}, "
      "read-only root, network lo only",
      user.uid, user.gid, ids_text, security.seccomp ? "seccomp (Docker's default profile)" : "no seccomp",
      security.memory_bytes ? format_byte_quantity(*security.memory_bytes) : "unlimited",
      security.pids ? std::to_string(*security.pids) : "unlimited");
  return out;
}

void apply_container_options(ProbeSandbox& sandbox, const CommandContainer& container) {
  ContainerSecurity& security = sandbox.security;
  std::vector<std::string> changes;
  if (container.capabilities) {
    security.capabilities = *container.capabilities;
    changes.push_back(fmt::format("capabilities {}", fmt::join(security.capabilities, ",")));
  }
  if (container.privileged) {
    security.capabilities = all_capabilities();
    security.seccomp = false;
    security.no_new_privileges = false;
    security.unmasked = true;
    changes.push_back(security.user_namespace ? "privileged (every capability of its user namespace, no seccomp, "
                                                "unmasked /proc, /sys)"
                                              : "privileged (every capability of the host, no seccomp, unmasked "
                                                "/proc, /sys: there is no user namespace here)");
  }
  if (container.writable_root) {
    security.read_only_root = false;
    changes.push_back("writable root (a fresh copy of the image)");
  }
  for (const BindMount& mount : container.bind_mounts)
    changes.push_back(fmt::format("{} mounted at {}{}", mount.host, mount.container, mount.read_only ? " read-only" : ""));
  if (!changes.empty())
    sandbox.summary += fmt::format("; {}: {}", container.origin.empty() ? "run options" : container.origin,
                                   fmt::join(changes, "; "));
}

}  // namespace kiln::verify
