#include "server/engine/kubernetes/kaniko_build_pod.h"

#include "server/engine/kubernetes/executor_command.h"

namespace kiln::server {
namespace {

constexpr const char* docker_config_dir = "/kaniko/.docker";

oci::Json labels(const std::string& build_id) {
  return {{"app.kubernetes.io/name", "kiln-build"},
          {"app.kubernetes.io/component", "image-build"},
          {managed_by_label, managed_by_value},
          {build_id_label, build_id}};
}

// kaniko-pod.yaml's container securityContext, and why, is written there: root with the
// capabilities the executor needs to reproduce an image's files, and nothing else.
oci::Json container_security_context() {
  return {{"privileged", false},
          {"allowPrivilegeEscalation", false},
          {"readOnlyRootFilesystem", false},
          {"capabilities",
           {{"drop", {"ALL"}}, {"add", {"CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "SETUID", "SETGID", "SETFCAP"}}}}};
}

oci::Json pod_security_context() {
  return {{"runAsUser", 0}, {"runAsGroup", 0}, {"runAsNonRoot", false}, {"seccompProfile", {{"type", "RuntimeDefault"}}}};
}

oci::Json resources_json(const BuildPodResources& resources) {
  return {{"requests", resources.requests}, {"limits", resources.limits}};
}

}  // namespace

std::string build_pod_name(const std::string& build_id) { return "kiln-build-" + build_id; }
std::string context_secret_name(const std::string& build_id) { return "kiln-build-" + build_id + "-context"; }

std::string fetch_context_script() {
  // pipefail: a failed download must fail the init container even when tar saw a clean end.
  return "set -eu -o pipefail\n"
         "wget -q -O - --header \"Authorization: Bearer $TOKEN\" \"$CONTEXT_URL\" | tar -x -f - -C \"$WORKSPACE\"\n";
}

oci::Json kaniko_build_pod(const KanikoBuildPodOptions& options) {
  const oci::Json workspace_mount = {{"name", "workspace"}, {"mountPath", pod_workspace}};
  oci::Json fetch = {
      {"name", fetch_container},
      {"image", options.executor_image},
      {"command", {"/busybox/sh", "-c", fetch_context_script()}},
      {"env",
       {{{"name", "CONTEXT_URL"}, {"value", options.context_url}},
        {{"name", "WORKSPACE"}, {"value", pod_workspace}},
        {{"name", "TOKEN"},
         {"valueFrom", {{"secretKeyRef", {{"name", context_secret_name(options.build_id)}, {"key", context_token_key}}}}}}}},
      {"securityContext", container_security_context()},
      {"resources", resources_json(options.resources)},
      {"terminationMessagePolicy", "FallbackToLogsOnError"},
      {"volumeMounts", {workspace_mount}}};

  const std::vector<std::string>& argv = options.executor_argv;
  oci::Json executor = {
      {"name", executor_container},
      {"image", options.executor_image},
      {"command", {argv.empty() ? std::string("/kaniko/executor") : argv.front()}},
      {"args", argv.size() > 1 ? oci::Json(std::vector<std::string>(argv.begin() + 1, argv.end())) : oci::Json::array()},
      {"workingDir", pod_workspace},
      {"env", {{{"name", "DOCKER_CONFIG"}, {"value", docker_config_dir}}}},
      {"securityContext", container_security_context()},
      {"resources", resources_json(options.resources)},
      // The digest is the termination message; on a failure before the executor writes one the
      // kubelet takes the log's tail instead, which `kubectl describe` shows.
      {"terminationMessagePolicy", "FallbackToLogsOnError"},
      {"volumeMounts", {workspace_mount}}};

  oci::Json volumes = {{{"name", "workspace"}, {"emptyDir", {{"sizeLimit", options.workspace_size}}}}};
  if (!options.registry_secret.empty()) {
    executor["volumeMounts"].push_back({{"name", "docker-config"}, {"mountPath", docker_config_dir}, {"readOnly", true}});
    const oci::Json items = oci::Json::array({{{"key", ".dockerconfigjson"}, {"path", "config.json"}}});
    volumes.push_back({{"name", "docker-config"}, {"secret", {{"secretName", options.registry_secret}, {"items", items}}}});
  }

  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata", {{"name", build_pod_name(options.build_id)}, {"labels", labels(options.build_id)}}},
          {"spec",
           {{"restartPolicy", "Never"},
            // The build talks to registries and to kiln-server's context URL, never to the API.
            {"automountServiceAccountToken", false},
            {"enableServiceLinks", false},
            {"activeDeadlineSeconds", options.active_deadline_seconds},
            {"terminationGracePeriodSeconds", 0},
            {"securityContext", pod_security_context()},
            {"initContainers", {fetch}},
            {"containers", {executor}},
            {"volumes", volumes}}}};
}

oci::Json context_secret(const std::string& build_id, const std::string& token) {
  return {{"apiVersion", "v1"},
          {"kind", "Secret"},
          {"metadata", {{"name", context_secret_name(build_id)}, {"labels", labels(build_id)}}},
          {"type", "Opaque"},
          {"stringData", {{context_token_key, token}}}};
}

}  // namespace kiln::server
