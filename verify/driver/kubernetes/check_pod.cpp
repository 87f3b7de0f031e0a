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

// Everything "restricted" asks of a container, plus a read-only root: the probe writes nothing.
oci::Json container_security_context() {
  return {{"allowPrivilegeEscalation", false},
          {"capabilities", {{"drop", oci::Json::array({"ALL"})}}},
          {"privileged", false},
          {"readOnlyRootFilesystem", true}};
}

oci::Json resources_json(const ContainerResources& resources) {
  oci::Json out = oci::Json::object();
  if (!resources.requests.empty()) out["requests"] = resources.requests;
  if (!resources.limits.empty()) out["limits"] = resources.limits;
  return out;
}

}  // namespace

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
  const CheckPodUser user = check_pod_user(options.image_user);

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
      {"securityContext", container_security_context()},
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
