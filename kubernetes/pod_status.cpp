#include "kubernetes/pod_status.h"

#include <fmt/format.h>

#include <array>

namespace kiln::kubernetes {
namespace {

constexpr std::array<std::string_view, 6> fatal_waiting_reasons = {
    "ErrImagePull",         "ImagePullBackOff", "InvalidImageName", "CreateContainerConfigError",
    "CreateContainerError", "RunContainerError"};

const oci::Json& status_of(const oci::Json& pod) {
  static const oci::Json none = oci::Json::object();
  return pod.is_object() && pod.contains("status") && pod["status"].is_object() ? pod["status"] : none;
}

const oci::Json* state_of(const oci::Json& pod, const char* list, std::string_view name) {
  const oci::Json& status = status_of(pod);
  if (!status.contains(list) || !status[list].is_array()) return nullptr;
  for (const auto& entry : status[list])
    if (text_field(entry, "name") == name)
      return entry.contains("state") && entry["state"].is_object() ? &entry["state"] : nullptr;
  return nullptr;
}

bool is_fatal(const std::string& reason) {
  for (auto fatal : fatal_waiting_reasons)
    if (reason == fatal) return true;
  return false;
}

}  // namespace

std::string text_field(const oci::Json& object, const char* key) {
  if (!object.is_object() || !object.contains(key) || !object[key].is_string()) return {};
  return object[key].get<std::string>();
}

std::string resource_version(const oci::Json& pod) {
  return pod.is_object() && pod.contains("metadata") ? text_field(pod["metadata"], "resourceVersion") : std::string();
}

std::string describe(std::string_view what, const std::string& reason, const std::string& message) {
  return message.empty() ? fmt::format("{}: {}", what, reason) : fmt::format("{}: {}: {}", what, reason, message);
}

std::optional<PodTrouble> pod_trouble(const oci::Json& pod) {
  const oci::Json& status = status_of(pod);
  if (text_field(status, "reason") == "DeadlineExceeded")
    return PodTrouble{.kind = PodTrouble::Kind::deadline_exceeded, .container = {}, .reason = "DeadlineExceeded",
                      .message = text_field(status, "message")};

  if (status.contains("conditions") && status["conditions"].is_array())
    for (const auto& condition : status["conditions"])
      if (text_field(condition, "type") == "PodScheduled" && text_field(condition, "status") == "False" &&
          text_field(condition, "reason") == "Unschedulable")
        return PodTrouble{.kind = PodTrouble::Kind::unschedulable, .container = {}, .reason = "Unschedulable",
                          .message = text_field(condition, "message")};

  for (const char* list : {init_container_statuses, container_statuses}) {
    if (!status.contains(list) || !status[list].is_array()) continue;
    for (const auto& container : status[list]) {
      if (!container.contains("state") || !container["state"].is_object()) continue;
      const oci::Json& state = container["state"];
      if (!state.contains("waiting")) continue;
      const std::string reason = text_field(state["waiting"], "reason");
      if (is_fatal(reason))
        return PodTrouble{.kind = PodTrouble::Kind::container_stuck, .container = text_field(container, "name"),
                          .reason = reason, .message = text_field(state["waiting"], "message")};
    }
  }
  return std::nullopt;
}

std::optional<ContainerEnd> container_end(const oci::Json& pod, const char* list, std::string_view name) {
  const oci::Json* state = state_of(pod, list, name);
  if (!state || !state->contains("terminated") || !(*state)["terminated"].is_object()) return std::nullopt;
  const oci::Json& t = (*state)["terminated"];
  const int code = t.contains("exitCode") && t["exitCode"].is_number_integer() ? t["exitCode"].get<int>() : -1;
  return ContainerEnd{.exit_code = code, .reason = text_field(t, "reason"), .message = text_field(t, "message")};
}

bool container_started(const oci::Json& pod, const char* list, std::string_view name) {
  const oci::Json* state = state_of(pod, list, name);
  return state && (state->contains("running") || state->contains("terminated"));
}

std::optional<PodEnd> pod_end(const oci::Json& pod) {
  const oci::Json& status = status_of(pod);
  const std::string phase = text_field(status, "phase");
  if (phase != "Succeeded" && phase != "Failed") return std::nullopt;
  const std::string reason = text_field(status, "reason");
  return PodEnd{.phase = phase, .reason = reason.empty() ? "NoResult" : reason, .message = text_field(status, "message")};
}

}  // namespace kiln::kubernetes
