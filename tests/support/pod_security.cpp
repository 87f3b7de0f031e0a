#include "tests/support/pod_security.h"

#include <algorithm>
#include <set>

namespace kiln::testing {
namespace {

using Json = oci::Json;

const Json& field(const Json& object, const char* name) {
  static const Json null;
  return object.is_object() && object.contains(name) ? object[name] : null;
}

bool is_true(const Json& value) { return value.is_boolean() && value.get<bool>(); }

std::string text(const Json& value) { return value.is_string() ? value.get<std::string>() : value.dump(); }

struct Container {
  std::string where;  ///< "containers[check]"
  const Json* spec;
};

std::vector<Container> all_containers(const Json& pod_spec) {
  std::vector<Container> out;
  for (const char* list : {"initContainers", "containers", "ephemeralContainers"}) {
    const Json& containers = field(pod_spec, list);  // pointers into the pod itself, never a copy
    if (!containers.is_array()) continue;
    for (const Json& c : containers) out.push_back({std::string(list) + "[" + text(field(c, "name")) + "]", &c});
  }
  return out;
}

class Checker {
 public:
  explicit Checker(const Json& pod) : pod_(pod), spec_(field(pod, "spec")), containers_(all_containers(spec_)) {}

  void baseline() {
    const Json& pod_sc = field(spec_, "securityContext");
    // HostProcess
    if (is_true(field(field(pod_sc, "windowsOptions"), "hostProcess"))) add("hostProcess", "spec.securityContext.windowsOptions.hostProcess is true");
    for (const auto& [where, c] : containers_)
      if (is_true(field(field(sc(*c), "windowsOptions"), "hostProcess"))) add("hostProcess", where + ".securityContext.windowsOptions.hostProcess is true");
    // Host namespaces
    for (const char* host : {"hostNetwork", "hostPID", "hostIPC"})
      if (is_true(field(spec_, host))) add("hostNamespaces", std::string("spec.") + host + " is true");
    // Privileged containers
    for (const auto& [where, c] : containers_)
      if (is_true(field(sc(*c), "privileged"))) add("privileged", where + ".securityContext.privileged is true");
    // Capabilities: only the container runtime's default set may be added.
    static const std::set<std::string> baseline_caps = {"AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
                                                        "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"};
    for (const auto& [where, c] : containers_)
      for (const Json& cap : added_caps(*c))
        if (!baseline_caps.count(text(cap))) add("capabilities", where + " adds " + text(cap));
    // HostPath volumes
    for (const Json& volume : volumes())
      if (volume.contains("hostPath")) add("hostPath", "volume " + text(field(volume, "name")) + " is a hostPath");
    // Host ports
    for (const auto& [where, c] : containers_)
      for (const Json& port : field(*c, "ports").is_array() ? field(*c, "ports") : Json::array())
        if (port.contains("hostPort") && port["hostPort"] != 0) add("hostPorts", where + " uses hostPort " + text(port["hostPort"]));
    // AppArmor: runtime/default or localhost profiles only.
    check_apparmor("spec.securityContext", pod_sc);
    for (const auto& [where, c] : containers_) check_apparmor(where + ".securityContext", sc(*c));
    const Json& annotations = field(field(pod_, "metadata"), "annotations");
    if (annotations.is_object())
      for (const auto& [key, value] : annotations.items())
        if (key.starts_with("container.apparmor.security.beta.kubernetes.io/") && value != "runtime/default" &&
            !text(value).starts_with("localhost/"))
          add("appArmor", "annotation " + key + " is " + text(value));
    // SELinux
    check_selinux("spec.securityContext", pod_sc);
    for (const auto& [where, c] : containers_) check_selinux(where + ".securityContext", sc(*c));
    // /proc mount type
    for (const auto& [where, c] : containers_)
      if (!field(sc(*c), "procMount").is_null() && field(sc(*c), "procMount") != "Default")
        add("procMount", where + ".securityContext.procMount is " + text(field(sc(*c), "procMount")));
    // Seccomp: never Unconfined.
    if (field(field(pod_sc, "seccompProfile"), "type") == "Unconfined") add("seccomp", "spec.securityContext.seccompProfile is Unconfined");
    for (const auto& [where, c] : containers_)
      if (field(field(sc(*c), "seccompProfile"), "type") == "Unconfined") add("seccomp", where + ".securityContext.seccompProfile is Unconfined");
    // Sysctls: the safe set only.
    static const std::set<std::string> safe_sysctls = {
        "kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_unprivileged_port_start", "net.ipv4.tcp_syncookies",
        "net.ipv4.ping_group_range", "net.ipv4.ip_local_reserved_ports", "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout",
        "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes"};
    for (const Json& sysctl : field(pod_sc, "sysctls").is_array() ? field(pod_sc, "sysctls") : Json::array())
      if (!safe_sysctls.count(text(field(sysctl, "name")))) add("sysctls", "sysctl " + text(field(sysctl, "name")) + " is not safe");
  }

  void restricted() {
    const Json& pod_sc = field(spec_, "securityContext");
    // Volume types
    static const std::set<std::string> allowed_volumes = {"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral",
                                                          "persistentVolumeClaim", "projected", "secret"};
    for (const Json& volume : volumes())
      for (const auto& [key, value] : volume.items())
        if (key != "name" && !allowed_volumes.count(key)) add("volumeTypes", "volume " + text(field(volume, "name")) + " is a " + key);
    // Privilege escalation
    for (const auto& [where, c] : containers_)
      if (field(sc(*c), "allowPrivilegeEscalation") != false)
        add("allowPrivilegeEscalation", where + ".securityContext.allowPrivilegeEscalation is not false");
    // Running as non-root: the pod says so, or every container does; no container may say otherwise.
    const bool pod_non_root = is_true(field(pod_sc, "runAsNonRoot"));
    for (const auto& [where, c] : containers_) {
      const Json& value = field(sc(*c), "runAsNonRoot");
      if (value == false || (!pod_non_root && !is_true(value)))
        add("runAsNonRoot", where + " may run as root (runAsNonRoot is not true for it or the pod)");
    }
    // Non-root user: no runAsUser 0 anywhere.
    if (field(pod_sc, "runAsUser") == 0) add("runAsUser", "spec.securityContext.runAsUser is 0");
    for (const auto& [where, c] : containers_)
      if (field(sc(*c), "runAsUser") == 0) add("runAsUser", where + ".securityContext.runAsUser is 0");
    // Seccomp: RuntimeDefault or Localhost, on the pod or on every container.
    auto allowed_profile = [](const Json& s) {
      const Json& type = field(field(s, "seccompProfile"), "type");
      return type == "RuntimeDefault" || type == "Localhost";
    };
    for (const auto& [where, c] : containers_)
      if (!allowed_profile(sc(*c)) && !(field(field(sc(*c), "seccompProfile"), "type").is_null() && allowed_profile(pod_sc)))
        add("seccomp", where + " has no RuntimeDefault or Localhost seccomp profile (nor the pod)");
    // Capabilities: drop ALL, add at most NET_BIND_SERVICE.
    for (const auto& [where, c] : containers_) {
      const Json& drop = field(field(sc(*c), "capabilities"), "drop");
      if (!drop.is_array() || std::find(drop.begin(), drop.end(), Json("ALL")) == drop.end())
        add("capabilities", where + " does not drop ALL");
      for (const Json& cap : added_caps(*c))
        if (cap != "NET_BIND_SERVICE") add("capabilities", where + " adds " + text(cap));
    }
  }

  std::vector<PodSecurityViolation> violations;

 private:
  static const Json& sc(const Json& container) { return field(container, "securityContext"); }
  static Json added_caps(const Json& container) {
    const Json& add = field(field(sc(container), "capabilities"), "add");
    return add.is_array() ? add : Json::array();
  }
  Json volumes() const { return field(spec_, "volumes").is_array() ? field(spec_, "volumes") : Json::array(); }
  void add(std::string rule, std::string detail) { violations.push_back({std::move(rule), std::move(detail)}); }

  void check_apparmor(const std::string& where, const Json& security_context) {
    const Json& type = field(field(security_context, "appArmorProfile"), "type");
    if (!type.is_null() && type != "RuntimeDefault" && type != "Localhost") add("appArmor", where + ".appArmorProfile is " + text(type));
  }
  void check_selinux(const std::string& where, const Json& security_context) {
    const Json& options = field(security_context, "seLinuxOptions");
    static const std::set<std::string> types = {"", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"};
    if (!field(options, "type").is_null() && !types.count(text(field(options, "type"))))
      add("seLinux", where + ".seLinuxOptions.type is " + text(field(options, "type")));
    for (const char* key : {"user", "role"})
      if (!field(options, key).is_null() && field(options, key) != "") add("seLinux", where + ".seLinuxOptions." + key + " is set");
  }

  const Json& pod_;
  const Json& spec_;
  std::vector<Container> containers_;
};

}  // namespace

std::vector<PodSecurityViolation> pod_security_violations(const oci::Json& pod, PodSecurityLevel level) {
  Checker checker(pod);
  checker.baseline();
  if (level == PodSecurityLevel::restricted) checker.restricted();
  return checker.violations;
}

std::vector<std::string> violated_rules(const oci::Json& pod, PodSecurityLevel level) {
  std::set<std::string> rules;
  for (const auto& v : pod_security_violations(pod, level)) rules.insert(v.rule);
  return {rules.begin(), rules.end()};
}

std::string describe(const std::vector<PodSecurityViolation>& violations) {
  std::string out;
  for (const auto& v : violations) out += v.rule + ": " + v.detail + "\n";
  return out;
}

}  // namespace kiln::testing
