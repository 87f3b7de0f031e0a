#include "verify/driver/runc_bundle.h"

namespace kiln::verify {

nlohmann::json runc_config(const BundleSpec& spec) {
  using nlohmann::json;
  const json no_caps = json::array();
  json user = {{"uid", spec.user.uid}, {"gid", spec.user.gid}};
  if (!spec.user.additional_gids.empty()) user["additionalGids"] = spec.user.additional_gids;
  json config = {
      {"ociVersion", "1.0.2-dev"},
      {"process",
       {{"terminal", false},
        {"user", user},
        {"args", {kProbeInContainer, "check", "--request", kRequestInContainer}},
        {"env", spec.env},
        {"cwd", "/"},
        // Empty sets: not even runc spec's CAP_KILL, CAP_AUDIT_WRITE, CAP_NET_BIND_SERVICE.
        {"capabilities",
         {{"bounding", no_caps}, {"effective", no_caps}, {"permitted", no_caps}, {"inheritable", no_caps},
          {"ambient", no_caps}}},
        {"rlimits", {{{"type", "RLIMIT_NOFILE"}, {"hard", 1024}, {"soft", 1024}}}},
        {"noNewPrivileges", true}}},
      {"root", {{"path", spec.rootfs}, {"readonly", true}}},
      {"hostname", "kiln-verify"},
      {"mounts",
       {{{"destination", "/proc"}, {"type", "proc"}, {"source", "proc"}},
        // runc fills a tmpfs /dev with null, zero, full, random, urandom and tty only.
        {{"destination", "/dev"},
         {"type", "tmpfs"},
         {"source", "tmpfs"},
         {"options", {"nosuid", "strictatime", "mode=755", "size=65536k"}}},
        {{"destination", "/tmp"},
         {"type", "tmpfs"},
         {"source", "tmpfs"},
         {"options", {"nosuid", "nodev", "mode=1777", "size=65536k"}}},
        {{"destination", kProbeInContainer},
         {"type", "bind"},
         {"source", spec.probe.string()},
         {"options", {"bind", "ro", "nosuid", "nodev"}}},
        {{"destination", kRequestInContainer},
         {"type", "bind"},
         {"source", spec.request.string()},
         {"options", {"bind", "ro", "nosuid", "nodev", "noexec"}}}}},
      {"linux",
       {{"resources", {{"devices", {{{"allow", false}, {"access", "rwm"}}}}, {"pids", {{"limit", 1024}}}}},
        // A new network namespace that runc configures nothing in: lo is all there is.
        {"namespaces", {{{"type", "pid"}}, {{"type", "network"}}, {{"type", "ipc"}}, {{"type", "uts"}}, {{"type", "mount"}}}},
        {"maskedPaths",
         {"/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
          "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi"}},
        {"readonlyPaths", {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"}}}},
  };
  return config;
}

}  // namespace kiln::verify
