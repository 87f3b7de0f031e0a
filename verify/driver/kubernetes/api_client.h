#pragma once
// The few Kubernetes REST calls a check pod needs (core/v1 pods, pods/log, events), over
// Poco::Net with the cluster's TLS settings and bearer token. Plain http:// is accepted only for
// a server on the loopback address (the tests' stand-in API server).
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "core/error.h"
#include "oci/json.h"
#include "verify/driver/kubernetes/cluster_config.h"

namespace kiln::verify::kubernetes {

/// A request the API answered with an error Status; always ExitClass::infra. The message names
/// the verb, resource and namespace, and carries the Status message (never the token).
class ApiError : public Error {
 public:
  ApiError(int status, const std::string& what) : Error(ExitClass::infra, what), status_(status) {}
  int status() const noexcept { return status_; }  ///< HTTP status; 0 when the connection failed

 private:
  int status_;
};

/// How a watch ended.
enum class WatchEnd {
  closed,  ///< the server ended the stream (timeoutSeconds); watch again from the last version
  gone,    ///< 410 Gone: the version is too old; get the object again, then watch from its version
  stopped, ///< the callback asked to stop
};

enum class WatchNext { keep_watching, stop };

class ApiClient {
 public:
  explicit ApiClient(ClusterConfig config);
  ~ApiClient();
  ApiClient(const ApiClient&) = delete;
  ApiClient& operator=(const ApiClient&) = delete;

  const std::string& namespace_name() const { return config_.namespace_name; }

  /// POST /api/v1/namespaces/{ns}/pods; returns the created pod (its name and resourceVersion).
  oci::Json create_pod(const oci::Json& pod);
  oci::Json get_pod(const std::string& name);
  /// GET …/pods?watch=1&fieldSelector=metadata.name=<name>&resourceVersion=<rv>: calls
  /// `on_event(type, pod)` per event until the server closes the stream (at most `timeout`).
  WatchEnd watch_pod(const std::string& name, const std::string& resource_version, std::chrono::seconds timeout,
                     const std::function<WatchNext(const std::string& type, const oci::Json& pod)>& on_event);
  /// GET …/pods/{name}/log?container=<container>, the last `limit_bytes` at most.
  std::string pod_log(const std::string& name, const std::string& container, std::size_t limit_bytes);
  /// GET /api/v1/namespaces/{ns}/events?fieldSelector=involvedObject.name=<name>: the EventList.
  oci::Json pod_events(const std::string& name);
  /// DELETE …/pods/{name}?gracePeriodSeconds=0&propagationPolicy=Background; a pod already gone
  /// is not an error.
  void delete_pod(const std::string& name);

 private:
  struct Connection;
  ClusterConfig config_;
  std::unique_ptr<Connection> connection_;
};

}  // namespace kiln::verify::kubernetes
