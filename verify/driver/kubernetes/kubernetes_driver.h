#pragma once
// The `kubernetes` driver: runs kiln-probe inside the image under test as a check pod in a
// cluster, answering the FactRequest from the probe's log. Everything
// that keeps the check from running (pull, scheduling, OOM, deadline, RBAC) is an
// infrastructure error carrying the pod's events. The pod is deleted in every case. The RBAC
// it needs is in verify/driver/kubernetes/README.md.
#include <chrono>
#include <string>
#include <vector>

#include "kubernetes/cluster_config.h"
#include "verify/driver/driver.h"
#include "verify/driver/kubernetes/check_pod.h"

namespace kiln::verify {

struct KubernetesDriverOptions {
  kiln::kubernetes::ClusterConfig cluster;
  std::string verify_image;  ///< holds /kiln-probe (the `verify-image` setting)
  int active_deadline_seconds = 300;
  /// How long past activeDeadlineSeconds we keep watching for the kubelet to report it.
  std::chrono::seconds deadline_slack{30};
  std::vector<std::string> image_pull_secrets;
  std::string probe_volume_size = "64Mi";
  kubernetes::ContainerResources resources;
  std::string run_id;  ///< empty: a random one per collect()
  std::size_t log_limit_bytes = 64 * 1024 * 1024;
};

class KubernetesDriver final : public Driver {
 public:
  explicit KubernetesDriver(KubernetesDriverOptions options);
  std::string name() const override { return "kubernetes"; }
  using Driver::collect;
  /// containerRunOptions as Pod Security "restricted" allows them (kubernetes::restricted_refusal).
  std::optional<std::string> cannot_run(const CommandContainer& container) const override;
  inspect::Facts collect(const ImageUnderTest& image, const inspect::FactRequest& request,
                         const CommandContainer& container) override;

  /// The pod collect() would create (for `--print-pod`); needs no cluster.
  oci::Json pod_manifest(const ImageUnderTest& image, const inspect::FactRequest& request,
                         const CommandContainer& container = {}) const;

 private:
  KubernetesDriverOptions options_;
};

/// The probe's answer in a check container's log, where stdout and stderr are merged: the last
/// line that parses as a JSON object. Throws kiln::Error(infra) when there is none.
inspect::Facts facts_from_probe_log(const std::string& log);

}  // namespace kiln::verify
