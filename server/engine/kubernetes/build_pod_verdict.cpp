#include "server/engine/kubernetes/build_pod_verdict.h"

#include <fmt/format.h>

#include <array>
#include <string_view>

#include "server/engine/kubernetes/kaniko_build_pod.h"

namespace kiln::server {
namespace {

// Waiting reasons the kubelet does not recover from by itself (ErrImagePull turns into
// ImagePullBackOff and back until the deadline): the build fails at once.
constexpr std::array<std::string_view, 6> fatal_waiting_reasons = {
    "ErrImagePull", "ImagePullBackOff", "InvalidImageName", "CreateContainerConfigError", "CreateContainerError",
    "RunContainerError"};

std::string text(const oci::Json& object, const char* key) {
  if (!object.is_object() || !object.contains(key) || !object[key].is_string()) return {};
  return object[key].get<std::string>();
}

std::string describe(std::string_view what, const std::string& reason, const std::string& message) {
  return message.empty() ? fmt::format("{}: {}", what, reason) : fmt::format("{}: {}: {}", what, reason, message);
}

oci::Json status_of(const oci::Json& pod) {
  return pod.contains("status") && pod["status"].is_object() ? pod["status"] : oci::Json::object();
}

oci::Json container_state(const oci::Json& status, const char* list, std::string_view name) {
  if (!status.contains(list) || !status[list].is_array()) return oci::Json::object();
  for (const auto& entry : status[list])
    if (text(entry, "name") == name) return entry.value("state", oci::Json::object());
  return oci::Json::object();
}

BuildPodVerdict failed(std::string reason) {
  return {.kind = BuildPodVerdict::Kind::pod_failed, .exit_code = -1, .termination_message = {}, .reason = std::move(reason)};
}

}  // namespace

bool executor_started(const oci::Json& pod) {
  const oci::Json state = container_state(status_of(pod), "containerStatuses", executor_container);
  return state.contains("running") || state.contains("terminated");
}

BuildPodVerdict judge_build_pod(const oci::Json& pod) {
  const oci::Json status = status_of(pod);
  const std::string phase = text(status, "phase");

  // activeDeadlineSeconds: the kubelet kills the executor and fails the pod with this reason;
  // checked first, as the executor then also shows a terminated state (137).
  if (text(status, "reason") == "DeadlineExceeded")
    return failed(describe("the build pod exceeded its deadline (activeDeadlineSeconds)", "DeadlineExceeded",
                           text(status, "message")));

  if (status.contains("conditions") && status["conditions"].is_array())
    for (const auto& condition : status["conditions"])
      if (text(condition, "type") == "PodScheduled" && text(condition, "status") == "False" &&
          text(condition, "reason") == "Unschedulable")
        return failed(describe("the build pod cannot be scheduled", "Unschedulable", text(condition, "message")));

  for (const char* list : {"initContainerStatuses", "containerStatuses"}) {
    if (!status.contains(list) || !status[list].is_array()) continue;
    for (const auto& container : status[list]) {
      const oci::Json state = container.value("state", oci::Json::object());
      if (!state.contains("waiting")) continue;
      const std::string reason = text(state["waiting"], "reason");
      for (auto fatal : fatal_waiting_reasons)
        if (reason == fatal)
          return failed(describe(fmt::format("container '{}'", text(container, "name")), reason,
                                 text(state["waiting"], "message")));
    }
  }

  const oci::Json fetch = container_state(status, "initContainerStatuses", fetch_container);
  if (fetch.contains("terminated") && fetch["terminated"].value("exitCode", 0) != 0) {
    const oci::Json& t = fetch["terminated"];
    return failed(describe(fmt::format("init container '{}' could not fetch the build context (exit code {})",
                                       fetch_container, t.value("exitCode", 0)),
                           text(t, "reason"), text(t, "message")));
  }

  const oci::Json executor = container_state(status, "containerStatuses", executor_container);
  if (executor.contains("terminated")) {
    const oci::Json& t = executor["terminated"];
    const std::string reason = text(t, "reason");
    // An OOM kill is 137 whatever the runtime reported, as a shell reports a SIGKILL
    // (128+9): kiln-plugin's exit code for an OOM-killed executor (README, exit codes).
    const int code = reason == "OOMKilled" ? 137 : t.value("exitCode", -1);
    return {.kind = BuildPodVerdict::Kind::executor_finished, .exit_code = code,
            .termination_message = text(t, "message"), .reason = reason};
  }

  if (phase == "Succeeded" || phase == "Failed")
    return failed(describe(fmt::format("the build pod ended ({}) without a result from container '{}'", phase,
                                       executor_container),
                           text(status, "reason").empty() ? "NoResult" : text(status, "reason"),
                           text(status, "message")));
  return {};
}

}  // namespace kiln::server
