#include "verify/driver/kubernetes/pod_verdict.h"

#include <fmt/format.h>

#include "kubernetes/pod_status.h"
#include "verify/driver/kubernetes/check_pod.h"

namespace kiln::verify::kubernetes {
namespace {

using kiln::kubernetes::describe;
using kiln::kubernetes::PodTrouble;

PodVerdict infra(std::string reason) { return {.kind = PodVerdict::Kind::infra_failure, .exit_code = 0, .reason = std::move(reason)}; }

}  // namespace

PodVerdict judge_pod(const oci::Json& pod) {
  if (const auto trouble = kiln::kubernetes::pod_trouble(pod)) {
    switch (trouble->kind) {
      case PodTrouble::Kind::deadline_exceeded:
        return infra(describe("pod exceeded its activeDeadlineSeconds", trouble->reason, trouble->message));
      case PodTrouble::Kind::unschedulable:
        return infra(describe("pod cannot be scheduled", trouble->reason, trouble->message));
      case PodTrouble::Kind::container_stuck:
        return infra(describe(fmt::format("container '{}'", trouble->container), trouble->reason, trouble->message));
    }
  }

  if (const auto install = kiln::kubernetes::container_end(pod, kiln::kubernetes::init_container_statuses, install_container);
      install && install->exit_code != 0)
    return infra(describe(fmt::format("init container '{}' failed with exit code {}", install_container, install->exit_code),
                          install->reason, install->message));

  if (const auto check = kiln::kubernetes::container_end(pod, kiln::kubernetes::container_statuses, check_container)) {
    if (check->reason == "OOMKilled" || check->reason == "DeadlineExceeded")
      return infra(describe(fmt::format("container '{}'", check_container), check->reason,
                            check->reason == "OOMKilled" ? "the probe ran out of memory; raise the memory limit"
                                                         : check->message));
    return {.kind = PodVerdict::Kind::check_finished, .exit_code = check->exit_code, .reason = check->reason};
  }

  if (const auto end = kiln::kubernetes::pod_end(pod))
    return infra(describe(fmt::format("pod ended ({}) without a result from container '{}'", end->phase, check_container),
                          end->reason, end->message));
  return {};
}

}  // namespace kiln::verify::kubernetes
