#pragma once
// `engine: kubernetes`: each build is a Kaniko pod (kaniko_build_pod.h) created, watched, logged
// and deleted through kiln-verify's Kubernetes ApiClient. The context travels as a tar the init
// container GETs from kiln-server with a per-build token, kept in a per-build Secret; registry
// credentials come from an existing docker-registry Secret. Pod and Secret are deleted however
// the build ends.
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include "server/engine/engine.h"
#include "server/engine/kubernetes/kaniko_build_pod.h"

namespace kiln::server {

struct KubernetesEngineConfig {
  std::string kubeconfig;      ///< a kubeconfig file; empty: the in-cluster service account
  std::string context;         ///< kubeconfig context; empty: its current-context
  std::string namespace_name;  ///< where build pods run; empty: the context's / service account's, else "default"
  std::string executor_image;  ///< a Kaniko *debug* image (the fetch needs its busybox), pinned by digest
  std::string registry_secret; ///< an existing docker-registry Secret in that namespace; empty: none
  std::chrono::seconds deadline{3600};       ///< the pod's activeDeadlineSeconds
  /// How long past the deadline the engine waits for the kubelet's verdict before giving up itself.
  std::chrono::seconds deadline_slack{30};
  /// The longest single watch request: how late a cancel is noticed at worst.
  std::chrono::seconds watch_timeout{2};
  /// How long the log may still stream after the executor terminated.
  std::chrono::milliseconds log_grace{10000};
  BuildPodResources resources;
  std::string workspace_size = "5Gi";
  /// The in-cluster service account mount; a setting so tests can point it at a temp dir.
  std::filesystem::path service_account_dir = "/var/run/secrets/kubernetes.io/serviceaccount";
};

/// Reads the cluster configuration once (kubeconfig, or the in-cluster service account and
/// KUBERNETES_SERVICE_HOST/_PORT). Throws kiln::Error(usage) naming the key at fault
/// (kubernetes.executor_image, kubernetes.kubeconfig, …).
std::unique_ptr<Engine> make_kubernetes_engine(const KubernetesEngineConfig& config);

}  // namespace kiln::server
