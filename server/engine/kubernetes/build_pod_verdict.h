#pragma once
// What a build pod's status means for kiln-server: keep waiting, the executor finished (with
// its exit code and termination message), or the pod failed before the executor could give a
// result (image pull, scheduling, deadline, the context fetch).
#include <string>

#include "oci/json.h"

namespace kiln::server {

struct BuildPodVerdict {
  enum class Kind { waiting, executor_finished, pod_failed };
  Kind kind = Kind::waiting;
  int exit_code = -1;               ///< executor_finished: the executor's exit code (137 when OOMKilled)
  std::string termination_message;  ///< executor_finished: the digest on success
  std::string reason;               ///< pod_failed: what went wrong; executor_finished: the kubelet's reason
  friend bool operator==(const BuildPodVerdict&, const BuildPodVerdict&) = default;
};

/// Judges one Pod object (as returned by create, get or a watch event).
BuildPodVerdict judge_build_pod(const oci::Json& pod);

/// True once the executor container runs or has run: its log can be followed.
bool executor_started(const oci::Json& pod);

}  // namespace kiln::server
