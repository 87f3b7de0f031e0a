#pragma once
// The Kaniko build pod of one kiln-server build, and the per-build Secret it reads the context
// token from. The pod runs with kaniko-pod.yaml's security context (Pod Security
// "baseline": the executor is root with a few file capabilities):
//   init container `fetch-context` (the executor's *debug* image, for its busybox) GETs the
//   context tar with `Authorization: Bearer $TOKEN` and unpacks it into the emptyDir /workspace;
//   container `executor` runs /kaniko/executor on dir:///workspace and writes the digest to
//   /dev/termination-log, which the kubelet reports as its termination message.
// The token reaches the init container only through a secretKeyRef: never in the pod spec.
#include <map>
#include <string>
#include <vector>

#include "oci/json.h"

namespace kiln::server {

inline constexpr const char* fetch_container = "fetch-context";
inline constexpr const char* executor_container = "executor";
inline constexpr const char* build_id_label = "kiln.dev/build-id";
inline constexpr const char* managed_by_label = "app.kubernetes.io/managed-by";
inline constexpr const char* managed_by_value = "kiln-server";
/// The key of the per-build Secret that holds the context token.
inline constexpr const char* context_token_key = "token";

/// Requests and limits of a container, in Kubernetes quantities; kaniko-pod.yaml's.
struct BuildPodResources {
  std::map<std::string, std::string> requests{{"cpu", "500m"}, {"memory", "1Gi"}, {"ephemeral-storage", "2Gi"}};
  std::map<std::string, std::string> limits{{"cpu", "2"}, {"memory", "4Gi"}, {"ephemeral-storage", "10Gi"}};
};

struct KanikoBuildPodOptions {
  std::string build_id;        ///< [a-z0-9-], at most 63: a label value
  std::string executor_image;  ///< a Kaniko debug image (it has /busybox), ideally by digest
  std::vector<std::string> executor_argv;  ///< from executor_command(); argv[0] is the executor
  std::string context_url;     ///< where the init container GETs the context tar
  std::string registry_secret; ///< a docker-registry Secret for /kaniko/.docker/config.json; empty: none
  int active_deadline_seconds = 3600;
  std::string workspace_size = "5Gi";
  BuildPodResources resources;
};

/// "kiln-build-<id>" and "kiln-build-<id>-context".
std::string build_pod_name(const std::string& build_id);
std::string context_secret_name(const std::string& build_id);

/// The init container's shell script; it reads CONTEXT_URL, TOKEN and WORKSPACE from its
/// environment, so neither the URL nor the token is ever part of a command line in the spec.
std::string fetch_context_script();

/// The Pod manifest (apiVersion v1, kind Pod) to POST.
oci::Json kaniko_build_pod(const KanikoBuildPodOptions& options);

/// The Secret (apiVersion v1, kind Secret, type Opaque) holding `token` under context_token_key.
oci::Json context_secret(const std::string& build_id, const std::string& token);

}  // namespace kiln::server
