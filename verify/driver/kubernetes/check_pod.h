#pragma once
// The check pod: an init container from the kiln verify image copies the static kiln-probe into
// an emptyDir; the `check` container runs the image under test, pinned by digest, with the probe
// as its command and the FactRequest in its environment. It meets the Pod Security "restricted"
// profile (https://kubernetes.io/docs/concepts/security/pod-security-standards/) whatever the image says, which is why the user may differ
// from the image's own (see CheckPodUser).
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "inspect/facts.h"
#include "oci/image/platform.h"
#include "oci/json.h"
#include "verify/driver/command_container.h"

namespace kiln::verify::kubernetes {

/// Requests and limits of a container, in Kubernetes quantities ("50m", "128Mi").
struct ContainerResources {
  std::map<std::string, std::string> requests{{"cpu", "50m"}, {"memory", "64Mi"}};
  std::map<std::string, std::string> limits{{"cpu", "1"}, {"memory", "512Mi"}};
};

struct CheckPodOptions {
  std::string verify_image;  ///< the kiln verify image holding /kiln-probe, ideally by digest
  std::string image;         ///< the image under test, "repo@sha256:…" (ImageUnderTest::pinned)
  oci::Platform platform;    ///< chooses a node through kubernetes.io/arch and kubernetes.io/os
  std::string image_user;    ///< the image config's User ("", "1000", "1000:1000", "nonroot")
  std::string run_id;        ///< labels the pod so a sweeper can find leftovers of a run
  int active_deadline_seconds = 300;
  std::vector<std::string> image_pull_secrets;
  std::string probe_volume_size = "64Mi";
  ContainerResources resources;
  inspect::FactRequest request;
  /// containerRunOptions and setup, mapped where "restricted" allows (restricted_refusal).
  CommandContainer container;
};

/// Why the check pod cannot honour `container` under Pod Security "restricted" (root or a
/// non-numeric user, privileged, a capability other than NET_BIND_SERVICE, bind mounts), naming
/// the option; nullopt when it can.
std::optional<std::string> restricted_refusal(const CommandContainer& container);

/// Who the check runs as. Restricted forbids root, and a non-numeric USER cannot be proven
/// non-root by the kubelet (CreateContainerConfigError), so those run as 65532 instead.
struct CheckPodUser {
  std::int64_t uid = 65532;
  std::optional<std::int64_t> gid = 65532;  ///< nullopt: the runtime takes the image's group
  std::string note;  ///< non-empty when this is not the image's own user: says why
};

inline constexpr const char* probe_request_env = "KILN_PROBE_REQUEST";
inline constexpr const char* check_container = "check";
inline constexpr const char* install_container = "install-probe";
inline constexpr const char* managed_by_label = "app.kubernetes.io/managed-by";
inline constexpr const char* run_id_label = "kiln.dev/verify-run";
/// Set on the pod when the check runs as another user than the image's; the value says why.
inline constexpr const char* user_note_annotation = "kiln.dev/check-user";

CheckPodUser check_pod_user(const std::string& image_user);

/// The Pod manifest (apiVersion v1, kind Pod) to POST; also what `--print-pod` prints. Its
/// `container` must have passed restricted_refusal.
oci::Json check_pod(const CheckPodOptions& options);

}  // namespace kiln::verify::kubernetes
