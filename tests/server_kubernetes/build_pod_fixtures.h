#pragma once
// Pod statuses of a Kaniko build pod, as a kubelet reports them, for the stand-in API server's
// ScriptedPod; and a kubeconfig that points at the stand-in.
#include <filesystem>
#include <fstream>
#include <string>

#include "oci/json.h"

namespace kiln::server::testing {

inline oci::Json container(const std::string& name, oci::Json state) {
  return {{"name", name}, {"ready", false}, {"restartCount", 0}, {"image", "kaniko"}, {"imageID", ""}, {"state", std::move(state)}};
}
inline oci::Json waiting(const std::string& reason, const std::string& message = "") {
  oci::Json w = {{"reason", reason}};
  if (!message.empty()) w["message"] = message;
  return {{"waiting", w}};
}
inline oci::Json running() { return {{"running", {{"startedAt", "2026-11-27T10:00:01Z"}}}}; }
inline oci::Json terminated(int code, const std::string& reason, const std::string& message = "") {
  oci::Json t = {{"exitCode", code}, {"reason", reason}};
  if (!message.empty()) t["message"] = message;
  return {{"terminated", t}};
}
inline oci::Json pod_status(const std::string& phase, oci::Json fetch_state, oci::Json executor_state) {
  return {{"phase", phase},
          {"conditions", oci::Json::array({{{"type", "PodScheduled"}, {"status", "True"}}})},
          {"initContainerStatuses", oci::Json::array({container("fetch-context", std::move(fetch_state))})},
          {"containerStatuses", oci::Json::array({container("executor", std::move(executor_state))})}};
}
inline oci::Json pending() { return pod_status("Pending", waiting("PodInitializing"), waiting("PodInitializing")); }
inline oci::Json executor_running() { return pod_status("Running", terminated(0, "Completed"), running()); }
inline oci::Json executor_ended(const std::string& phase, oci::Json state) {
  return pod_status(phase, terminated(0, "Completed"), std::move(state));
}

/// A kubeconfig for the stand-in at `server`, namespace imgbuild.
inline std::filesystem::path write_kubeconfig(const std::filesystem::path& dir, const std::string& server,
                                              const std::string& token) {
  const auto file = dir / "kubeconfig";
  std::ofstream(file) << "apiVersion: v1\nkind: Config\ncurrent-context: stand-in\n"
                      << "clusters:\n- name: stand-in\n  cluster:\n    server: " << server << "\n"
                      << "users:\n- name: kiln-server\n  user:\n    token: " << token << "\n"
                      << "contexts:\n- name: stand-in\n  context:\n    cluster: stand-in\n    user: kiln-server\n"
                      << "    namespace: imgbuild\n";
  return file;
}

}  // namespace kiln::server::testing
