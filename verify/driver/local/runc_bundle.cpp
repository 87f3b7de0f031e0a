#include "verify/driver/local/runc_bundle.h"

#include "verify/driver/local/seccomp_profile.h"

namespace kiln::verify {
namespace {

using nlohmann::json;

json process_of(const BundleSpec& spec) {
  const ContainerSecurity& security = spec.security;
  json user = {{"uid", security.user.uid}, {"gid", security.user.gid}};
  if (!security.user.additional_gids.empty()) user["additionalGids"] = security.user.additional_gids;
  json args = {kProbeInContainer, "check", "--request", kRequestInContainer};
  if (security.memory_bytes) args.insert(args.end(), {"--cgroup", kCgroupInContainer});
  // Not even runc spec's CAP_KILL, CAP_AUDIT_WRITE, CAP_NET_BIND_SERVICE unless asked for.
  const json caps = security.capabilities;
  json rlimits = {{{"type", "RLIMIT_NOFILE"}, {"hard", security.open_files}, {"soft", security.open_files}}};
  // A writable root is the host's disk: no single file may grow past the bound.
  if (!security.read_only_root)
    rlimits.push_back({{"type", "RLIMIT_FSIZE"}, {"hard", security.max_file_bytes}, {"soft", security.max_file_bytes}});
  return {{"terminal", false},
          {"user", user},
          {"args", args},
          {"env", spec.env},
          {"cwd", "/"},
          {"capabilities",
           {{"bounding", caps}, {"effective", caps}, {"permitted", caps}, {"inheritable", json::array()},
            {"ambient", json::array()}}},
          {"rlimits", rlimits},
          {"noNewPrivileges", security.no_new_privileges}};
}

json mounts_of(const BundleSpec& spec) {
  json mounts = {
      {{"destination", "/proc"}, {"type", "proc"}, {"source", "proc"}},
      // runc fills a tmpfs /dev with null, zero, full, random, urandom and tty only.
      {{"destination", "/dev"}, {"type", "tmpfs"}, {"source", "tmpfs"}, {"options", {"nosuid", "strictatime", "mode=755", "size=65536k"}}},
      {{"destination", "/tmp"}, {"type", "tmpfs"}, {"source", "tmpfs"}, {"options", {"nosuid", "nodev", "mode=1777", "size=65536k"}}},
      {{"destination", kProbeInContainer},
       {"type", "bind"},
       {"source", spec.probe.string()},
       {"options", {"bind", "ro", "nosuid", "nodev"}}},
      {{"destination", kRequestInContainer},
       {"type", "bind"},
       {"source", spec.request.string()},
       {"options", {"bind", "ro", "nosuid", "nodev", "noexec"}}}};
  // Docker mounts /sys in every container, read-only unless privileged; kiln only when privileged.
  if (spec.security.unmasked)
    mounts.push_back({{"destination", "/sys"}, {"type", "sysfs"}, {"source", "sysfs"}, {"options", {"nosuid", "noexec", "nodev"}}});
  for (const BindMount& mount : spec.bind_mounts) {
    json options = {"rbind", "nosuid", "nodev"};
    options.push_back(mount.read_only ? "ro" : "rw");
    mounts.push_back({{"destination", mount.container}, {"type", "bind"}, {"source", mount.host}, {"options", options}});
  }
  if (spec.security.memory_bytes)
    mounts.push_back({{"destination", kCgroupInContainer},
                      {"type", "cgroup"},
                      {"source", "cgroup"},
                      {"options", {"ro", "nosuid", "nodev", "noexec"}}});
  return mounts;
}

json linux_of(const BundleSpec& spec) {
  const ContainerSecurity& security = spec.security;
  json resources = {{"devices", {{{"allow", false}, {"access", "rwm"}}}}};
  if (security.pids) resources["pids"] = {{"limit", *security.pids}};
  if (security.memory_bytes) {
    resources["memory"] = {{"limit", *security.memory_bytes}};
    if (security.limit_swap) resources["memory"]["swap"] = *security.memory_bytes;  // memory + swap, as runc counts it
  }
  // A new network namespace that runc configures nothing in: lo is all there is.
  json namespaces = {{{"type", "pid"}}, {{"type", "network"}}, {{"type", "ipc"}}, {{"type", "uts"}}, {{"type", "mount"}}};
  if (security.cgroup_namespace) namespaces.push_back({{"type", "cgroup"}});
  json out = {{"resources", resources},
              {"namespaces", namespaces}};
  if (!security.unmasked) {
    out["maskedPaths"] = {"/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
                          "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi"};
    out["readonlyPaths"] = {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"};
  }
  if (const auto& ids = security.user_namespace) {
    out["namespaces"].push_back({{"type", "user"}});
    const json mapping = {{{"containerID", ids->container_id}, {"hostID", ids->host_id}, {"size", ids->size}}};
    out["uidMappings"] = mapping;
    out["gidMappings"] = mapping;
  }
  if (security.seccomp)
    out["seccomp"] = resolve_seccomp_profile(docker_default_seccomp_profile(), this_machine(security.capabilities));
  return out;
}

}  // namespace

json runc_config(const BundleSpec& spec) {
  return {{"ociVersion", "1.0.2-dev"},
          {"process", process_of(spec)},
          {"root", {{"path", spec.rootfs}, {"readonly", spec.security.read_only_root}}},
          {"hostname", "kiln-verify"},
          {"mounts", mounts_of(spec)},
          {"linux", linux_of(spec)}};
}

}  // namespace kiln::verify
