#pragma once
// Where the Kubernetes API is and how kiln (kiln-verify's check pods, kiln-server's build pods)
// proves who it is: from a kubeconfig (as kubectl reads it) or from the service account of the
// pod a CI job runs in. Everything is read into memory once; certificates and keys never go
// through temporary files.
#include <filesystem>
#include <string>
#include <vector>

#include "core/env.h"

namespace kiln::kubernetes {

struct ClusterConfig {
  std::string server;        ///< "https://10.96.0.1:443" (a path prefix is kept)
  std::string ca_pem;        ///< CA certificates (PEM); empty: the system CAs
  bool insecure_skip_tls_verify = false;
  std::string token;         ///< bearer token; a secret (registered with core/log redaction)
  std::string client_certificate_pem;
  std::string client_key_pem;  ///< a secret
  std::string namespace_name;  ///< where pods are created
  std::string source;          ///< where this came from, for messages ("kubeconfig /x context y")
};

/// The settings that choose a cluster (`--kubeconfig`, `--kube-context`, `--namespace`).
struct ClusterSettings {
  std::string kubeconfig;      ///< empty: $KUBECONFIG, else ~/.kube/config, else in-cluster
  std::string context;         ///< empty: current-context
  std::string namespace_name;  ///< empty: the context's, the service account's, else "default"
  /// The service account mount; a setting so tests can point it at a temp dir.
  std::filesystem::path service_account_dir = "/var/run/secrets/kubernetes.io/serviceaccount";
};

/// Picks and reads the cluster configuration as kubectl would: the `kubeconfig` setting, then
/// $KUBECONFIG (a ':'-separated list, first definition wins), then ~/.kube/config when it exists,
/// then the in-cluster service account when KUBERNETES_SERVICE_HOST is set. Throws
/// kiln::Error(usage) naming the file, context or field at fault.
ClusterConfig load_cluster_config(const Env& env, const ClusterSettings& settings);

/// Reads kubeconfig files (merged in order) for `context` (empty: current-context).
ClusterConfig read_kubeconfig(const std::vector<std::filesystem::path>& files, const std::string& context);

/// The service account of the pod we run in: KUBERNETES_SERVICE_HOST/_PORT, token, ca.crt, namespace.
ClusterConfig read_in_cluster(const Env& env, const std::filesystem::path& service_account_dir);

}  // namespace kiln::kubernetes
