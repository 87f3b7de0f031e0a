#pragma once
// What a check pod's status means for kiln-verify: keep waiting, the check container finished
// (with its exit code), or the cluster could not run the check at all (an infrastructure error,
// never a failed test: a pod that never ran its command says nothing about the image).
#include <string>

#include "oci/json.h"

namespace kiln::verify::kubernetes {

struct PodVerdict {
  enum class Kind { waiting, check_finished, infra_failure };
  Kind kind = Kind::waiting;
  int exit_code = 0;   ///< check_finished: the probe's exit code
  std::string reason;  ///< infra_failure: what went wrong, e.g. "container 'check': ImagePullBackOff: …"
  friend bool operator==(const PodVerdict&, const PodVerdict&) = default;
};

/// Judges one Pod object (as returned by get or a watch event) for its `check` container.
PodVerdict judge_pod(const oci::Json& pod);

}  // namespace kiln::verify::kubernetes
