#include "verify/driver/kubernetes/check_pod.h"

#include <fmt/format.h>

#include <charconv>

#include "inspect/base64.h"

namespace kiln::verify::kubernetes {
namespace {

constexpr std::int64_t fallback_id = 65532;  // "nonroot" of distroless images
constexpr const char* probe_mount = "/kiln";

std::optional<std::int64_t> numeric(std::string_view text) {
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value < 0) return std::nullopt;
  return value;
}

// Everything "restricted" asks of a container, plus a read-only root unless setup commands
// must change the image (restricted allows a writable one).
oci::Json container_security_context(const CommandContainer& container = {}) {
  oci::Json capabilities = {{"drop", oci::Json::array({"ALL"})}};
  if (container.capabilities && !container.capabilities->empty())
    capabilities["add"] = oci::Json::array({"NET_BIND_SERVICE"});  // the one restricted allows
  return {{"allowPrivilegeEscalation", false},
          {"capabilities", capabilities},
          {"privileged", false},
          {"readOnlyRootFilesystem", !container.writable_root}};
}

std::string option_refusal(const CommandContainer& container, const std::string& option, const std::string& why) {
  return fmt::format("{}.{} cannot be honoured by the kubernetes driver: {}; use --driver local for this spec",
                     container.origin.empty() ? std::string("containerRunOptions") : container.origin, option, why);
}

oci::Json resources_json(const ContainerResources& resources) {
  oci::Json out = oci::Json::object();
  if (!resources.requests.empty()) out["requests"] = resources.requests;
  if (!resources.limits.empty()) out["limits"] = resources.limits;
  return out;
}

}  // namespace

std::optional<std::string> restricted_refusal(const CommandContainer& container) {
  if (container.privileged)
    return option_refusal(container, "privileged", "Pod Security \"restricted\" forbids privileged containers");
  if (container.user) {
    const std::string& user = *container.user;
    const auto colon = user.find(':');
    const auto uid = numeric(user.substr(0, colon));
    const bool group_ok = colon == std::string::npos || numeric(user.substr(colon + 1)).has_value();
    if (!uid || !group_ok)
      return option_refusal(container, "user",
                            fmt::format("'{}' is not numeric, and the kubelet runs only users it can prove non-root "
                                        "under Pod Security \"restricted\"", user));
    if (*uid == 0)
      return option_refusal(container, "user", "root is forbidden by Pod Security \"restricted\" (runAsNonRoot)");
  }
  if (container.capabilities)
    for (const std::string& name : *container.capabilities)
      if (name != "CAP_NET_BIND_SERVICE")
        return option_refusal(container, "capabilities",
                              fmt::format("{} is not allowed by Pod Security \"restricted\", which allows adding "
                                          "only NET_BIND_SERVICE", name));
  if (!container.bind_mounts.empty())
    return option_refusal(container, "bindMounts",
                          "a host path volume is forbidden by Pod Security \"restricted\", and the cluster's nodes "
                          "are not this machine");
  return std::nullopt;
}

CheckPodUser check_pod_user(const std::string& image_user) {
  const auto colon = image_user.find(':');
  const std::string user = image_user.substr(0, colon);
  const std::string group = colon == std::string::npos ? "" : image_user.substr(colon + 1);
  const auto uid = numeric(user);
  if (uid && *uid != 0) {
    // The image's own identity; without a group the runtime resolves it from the image as it
    // would for `docker run`, so runAsGroup stays unset unless the USER names one.
    const auto gid = numeric(group);
    if (group.empty() || gid) return {.uid = *uid, .gid = gid, .note = {}};
    return {.uid = *uid, .gid = fallback_id,
            .note = fmt::format("the image's USER '{}' names its group; the check ran with group {}", image_user,
                                fallback_id)};
  }
  std::string why;
  if (user.empty() || (uid && *uid == 0))
    why = fmt::format("the image runs as root (USER '{}'), which Pod Security \"restricted\" forbids", image_user);
  else
    why = fmt::format("the image's USER '{}' is not numeric, so the kubelet could not prove it non-root", image_user);
  return {.uid = fallback_id, .gid = fallback_id,
          .note = fmt::format("{}; the check ran as {}:{} instead", why, fallback_id, fallback_id)};
}

oci::Json check_pod(const CheckPodOptions& options) {
  const CheckPodUser user = check_pod_user(options.container.user.value_or(options.image_user));

  oci::Json metadata = {{"generateName", "kiln-verify-"},
                        {"labels", {{managed_by_label, "kiln-verify"}, {run_id_label, options.run_id}}}};
  if (!user.note.empty()) metadata["annotations"] = {{user_note_annotation, user.note}};

  oci::Json pod_security = {{"runAsNonRoot", true}, {"runAsUser", user.uid}};
  if (user.gid) pod_security["runAsGroup"] = *user.gid;
  pod_security["seccompProfile"] = {{"type", "RuntimeDefault"}};

  oci::Json node_selector = {{"kubernetes.io/os", options.platform.os}};
  if (!options.platform.architecture.empty()) node_selector["kubernetes.io/arch"] = options.platform.architecture;

  oci::Json pull_secrets = oci::Json::array();
  for (const auto& name : options.image_pull_secrets) pull_secrets.push_back({{"name", name}});

  const oci::Json install = {
      {"name", install_container},
      {"image", options.verify_image},
      {"command", {"/kiln-probe", "install", probe_mount}},
      {"volumeMounts", {{{"name", "probe"}, {"mountPath", probe_mount}}}},
      {"resources", resources_json(options.resources)},
      {"securityContext", container_security_context()},
      {"terminationMessagePolicy", "FallbackToLogsOnError"}};
  const std::string request = inspect::base64_encode(inspect::to_json(options.request).dump());
  const oci::Json check = {
      {"name", check_container},
      {"image", options.image},
      {"command", {fmt::format("{}/kiln-probe", probe_mount), "check"}},
      {"env", {{{"name", probe_request_env}, {"value", request}}}},
      {"volumeMounts", {{{"name", "probe"}, {"mountPath", probe_mount}, {"readOnly", true}}}},
      {"resources", resources_json(options.resources)},
      {"securityContext", container_security_context(options.container)},
      {"terminationMessagePolicy", "FallbackToLogsOnError"}};

  oci::Json spec = {{"restartPolicy", "Never"},
                    {"activeDeadlineSeconds", options.active_deadline_seconds},
                    {"automountServiceAccountToken", false},
                    {"enableServiceLinks", false},
                    {"terminationGracePeriodSeconds", 0},
                    {"nodeSelector", node_selector}};
  if (!pull_secrets.empty()) spec["imagePullSecrets"] = pull_secrets;
  spec["securityContext"] = pod_security;
  spec["volumes"] = {{{"name", "probe"}, {"emptyDir", {{"sizeLimit", options.probe_volume_size}}}}};
  spec["initContainers"] = oci::Json::array({install});
  spec["containers"] = oci::Json::array({check});

  return {{"apiVersion", "v1"}, {"kind", "Pod"}, {"metadata", metadata}, {"spec", spec}};
}

}  // namespace kiln::verify::kubernetes
