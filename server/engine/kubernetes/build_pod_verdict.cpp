#include "server/engine/kubernetes/build_pod_verdict.h"

#include <fmt/format.h>

#include "kubernetes/pod_status.h"
#include "server/engine/kubernetes/kaniko_build_pod.h"

namespace kiln::server {
namespace {

using kubernetes::describe;
using kubernetes::PodTrouble;

BuildPodVerdict pod_failed(std::string reason) {
  return {.kind = BuildPodVerdict::Kind::pod_failed, .exit_code = -1, .termination_message = {}, .reason = std::move(reason)};
}

}  // namespace

bool executor_started(const oci::Json& pod) {
  return kubernetes::container_started(pod, kubernetes::container_statuses, executor_container);
}

BuildPodVerdict judge_build_pod(const oci::Json& pod) {
  // activeDeadlineSeconds: the kubelet kills the executor and fails the pod with this reason;
  // the trouble is read before the executor's end, which then also shows (137).
  if (const auto trouble = kubernetes::pod_trouble(pod)) {
    switch (trouble->kind) {
      case PodTrouble::Kind::deadline_exceeded:
        return pod_failed(describe("the build pod exceeded its deadline (activeDeadlineSeconds)", trouble->reason,
                               trouble->message));
      case PodTrouble::Kind::unschedulable:
        return pod_failed(describe("the build pod cannot be scheduled", trouble->reason, trouble->message));
      case PodTrouble::Kind::container_stuck:
        return pod_failed(describe(fmt::format("container '{}'", trouble->container), trouble->reason, trouble->message));
    }
  }

  if (const auto fetch = kubernetes::container_end(pod, kubernetes::init_container_statuses, fetch_container);
      fetch && fetch->exit_code != 0)
    return pod_failed(describe(fmt::format("init container '{}' could not fetch the build context (exit code {})",
                                       fetch_container, fetch->exit_code),
                           fetch->reason, fetch->message));

  if (const auto executor = kubernetes::container_end(pod, kubernetes::container_statuses, executor_container)) {
    // An OOM kill is 137 whatever the runtime reported, as a shell reports a SIGKILL
    // (128+9): kiln-plugin's exit code for an OOM-killed executor (README, exit codes).
    const int code = executor->reason == "OOMKilled" ? 137 : executor->exit_code;
    return {.kind = BuildPodVerdict::Kind::executor_finished, .exit_code = code,
            .termination_message = executor->message, .reason = executor->reason};
  }

  if (const auto end = kubernetes::pod_end(pod))
    return pod_failed(describe(fmt::format("the build pod ended ({}) without a result from container '{}'", end->phase,
                                       executor_container),
                           end->reason, end->message));
  return {};
}

}  // namespace kiln::server
