#pragma once
// Reading a Pod object's status as the kubelet reports it (what get and watch events return):
// one reader for kiln-verify's check pods and kiln-server's build pods, which differ only in
// which containers they wait for and in the words of their messages.
#include <optional>
#include <string>
#include <string_view>

#include "oci/json.h"

namespace kiln::kubernetes {

/// status.initContainerStatuses and status.containerStatuses: where a container's state is.
inline constexpr const char* init_container_statuses = "initContainerStatuses";
inline constexpr const char* container_statuses = "containerStatuses";

/// A string member of a JSON object; empty when absent or not a string (the API omits empty fields).
std::string text_field(const oci::Json& object, const char* key);

/// metadata.resourceVersion: where a watch of the pod continues.
std::string resource_version(const oci::Json& pod);

/// "what: reason: message", or "what: reason" when the kubelet gave no message.
std::string describe(std::string_view what, const std::string& reason, const std::string& message);

/// Why the pod cannot run a container to its end, as far as the status says already: the
/// kubelet ended it at activeDeadlineSeconds, the scheduler finds no node, or a container waits
/// for a reason the kubelet does not recover from by itself (ErrImagePull turns into
/// ImagePullBackOff and back until the deadline, so it counts at once).
struct PodTrouble {
  enum class Kind { deadline_exceeded, unschedulable, container_stuck };
  Kind kind = Kind::deadline_exceeded;
  std::string container;  ///< container_stuck: which one
  std::string reason;     ///< "DeadlineExceeded", "Unschedulable", "ImagePullBackOff", …
  std::string message;    ///< the kubelet's or scheduler's words; may be empty
};
/// Deadline first: after it the kubelet also shows killed containers, which are not the cause.
std::optional<PodTrouble> pod_trouble(const oci::Json& pod);

/// A container that has ended: state.terminated. exit_code is -1 when the status lacks it (the
/// API requires it), so a malformed status never reads as success.
struct ContainerEnd {
  int exit_code = -1;
  std::string reason;   ///< "Completed", "Error", "OOMKilled", "DeadlineExceeded", …
  std::string message;  ///< the termination message (terminationMessagePath)
};
/// The end of container `name` in `list` (init_container_statuses or container_statuses);
/// nullopt while it has not ended or is not reported yet.
std::optional<ContainerEnd> container_end(const oci::Json& pod, const char* list, std::string_view name);

/// True once container `name` runs or has run (its log can be followed).
bool container_started(const oci::Json& pod, const char* list, std::string_view name);

/// The pod's phase is Succeeded or Failed; `reason` is the pod's ("Evicted", …), "NoResult"
/// when it gave none. nullopt while the pod may still run.
struct PodEnd {
  std::string phase;
  std::string reason;
  std::string message;
};
std::optional<PodEnd> pod_end(const oci::Json& pod);

}  // namespace kiln::kubernetes
