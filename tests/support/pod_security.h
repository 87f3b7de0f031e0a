#pragma once
// The Pod Security Standards (https://kubernetes.io/docs/concepts/security/pod-security-standards/),
// rule by rule as the PodSecurity admission plugin checks a pod: which rules a Pod manifest
// breaks, so a test can say "none" for a pod that must pass, or name exactly the ones a pod
// breaks on purpose (the Kaniko build pod runs as root).
#include <string>
#include <vector>

#include "oci/json.h"

namespace kiln::testing {

enum class PodSecurityLevel { baseline, restricted };

struct PodSecurityViolation {
  std::string rule;    ///< the standard's control: "runAsNonRoot", "capabilities", "hostPath", ...
  std::string detail;  ///< where and what: "containers[kiln].securityContext.runAsUser is 0"
  friend bool operator==(const PodSecurityViolation&, const PodSecurityViolation&) = default;
};

/// Every rule of `level` (restricted includes baseline) that the Pod manifest `pod` breaks, in
/// the order the standard lists them; empty when the admission plugin would admit it.
std::vector<PodSecurityViolation> pod_security_violations(const oci::Json& pod, PodSecurityLevel level);

/// The rule names of pod_security_violations, sorted and without repeats.
std::vector<std::string> violated_rules(const oci::Json& pod, PodSecurityLevel level);

/// Every violation as "rule: detail" lines, for test messages.
std::string describe(const std::vector<PodSecurityViolation>& violations);

}  // namespace kiln::testing
