#include "verify/driver/kubernetes/pod_verdict.h"

#include <fmt/format.h>

#include <array>
#include <string_view>

#include "verify/driver/kubernetes/check_pod.h"

namespace kiln::verify::kubernetes {
namespace {

// Waiting reasons the kubelet does not recover from by itself within a check's deadline
// (ErrImagePull turns into ImagePullBackOff and back until the deadline: fail at once).
constexpr std::array<std::string_view, 6> fatal_waiting_reasons = {
    "ErrImagePull",          "ImagePullBackOff",      "InvalidImageName",
    "CreateContainerConfigError", "CreateContainerError", "RunContainerError"};

std::string text(const oci::Json& object, const char* key) {
  if (!object.is_object() || !object.contains(key) || !object[key].is_string()) return {};
  return object[key].get<std::string>();
}

std::string describe(std::string_view what, const std::string& reason, const std::string& message) {
  return message.empty() ? fmt::format("{}: {}", what, reason) : fmt::format("{}: {}: {}", what, reason, message);
}

const oci::Json* find_status(const oci::Json& status, const char* list, std::string_view name) {
  if (!status.contains(list) || !status[list].is_array()) return nullptr;
  for (const auto& entry : status[list])
    if (text(entry, "name") == name) return &entry;
  return nullptr;
}

PodVerdict infra(std::string reason) { return {.kind = PodVerdict::Kind::infra_failure, .exit_code = 0, .reason = std::move(reason)}; }

}  // namespace

PodVerdict judge_pod(const oci::Json& pod) {
  const oci::Json status = pod.contains("status") && pod["status"].is_object() ? pod["status"] : oci::Json::object();
  const std::string phase = text(status, "phase");

  // activeDeadlineSeconds: the kubelet fails the pod with reason DeadlineExceeded.
  if (text(status, "reason") == "DeadlineExceeded")
    return infra(describe("pod exceeded its activeDeadlineSeconds", "DeadlineExceeded", text(status, "message")));

  if (status.contains("conditions") && status["conditions"].is_array()) {
    for (const auto& condition : status["conditions"]) {
      if (text(condition, "type") == "PodScheduled" && text(condition, "status") == "False" &&
          text(condition, "reason") == "Unschedulable")
        return infra(describe("pod cannot be scheduled", "Unschedulable", text(condition, "message")));
    }
  }

  for (const char* list : {"initContainerStatuses", "containerStatuses"}) {
    if (!status.contains(list) || !status[list].is_array()) continue;
    for (const auto& container : status[list]) {
      const std::string what = fmt::format("container '{}'", text(container, "name"));
      const oci::Json state = container.value("state", oci::Json::object());
      if (state.contains("waiting")) {
        const std::string reason = text(state["waiting"], "reason");
        for (auto fatal : fatal_waiting_reasons)
          if (reason == fatal) return infra(describe(what, reason, text(state["waiting"], "message")));
      }
    }
  }

  if (const oci::Json* install = find_status(status, "initContainerStatuses", install_container)) {
    const oci::Json state = install->value("state", oci::Json::object());
    if (state.contains("terminated") && state["terminated"].value("exitCode", 0) != 0) {
      const oci::Json& t = state["terminated"];
      return infra(describe(fmt::format("init container '{}' failed with exit code {}", install_container,
                                        t.value("exitCode", 0)),
                            text(t, "reason"), text(t, "message")));
    }
  }

  if (const oci::Json* check = find_status(status, "containerStatuses", check_container)) {
    const oci::Json state = check->value("state", oci::Json::object());
    if (state.contains("terminated")) {
      const oci::Json& t = state["terminated"];
      const std::string reason = text(t, "reason");
      if (reason == "OOMKilled" || reason == "DeadlineExceeded")
        return infra(describe(fmt::format("container '{}'", check_container), reason,
                              reason == "OOMKilled" ? "the probe ran out of memory; raise the memory limit"
                                                    : text(t, "message")));
      return {.kind = PodVerdict::Kind::check_finished, .exit_code = t.value("exitCode", 0), .reason = reason};
    }
  }

  if (phase == "Succeeded" || phase == "Failed")
    return infra(describe(fmt::format("pod ended ({}) without a result from container '{}'", phase, check_container),
                          text(status, "reason").empty() ? "NoResult" : text(status, "reason"), text(status, "message")));
  return {};
}

}  // namespace kiln::verify::kubernetes
