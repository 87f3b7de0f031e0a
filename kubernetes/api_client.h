#pragma once
// The few Kubernetes REST calls kiln needs (core/v1 pods, pods/log, events, secrets), over
// Poco::Net with the cluster's TLS settings and bearer token: kiln-verify's check pods and
// kiln-server's Kaniko build pods. Plain http:// is accepted only for
// a server on the loopback address (the tests' stand-in API server).
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "core/error.h"
#include "kubernetes/cluster_config.h"
#include "oci/json.h"

namespace kiln::kubernetes {

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

/// Ends a follow_pod_log() that is blocked reading, from another thread: the read in progress
/// ends as if the server had closed the stream. Interrupting before the follow starts makes it
/// return at once.
class StreamInterrupt {
 public:
  void interrupt();
  bool interrupted() const;

 private:
  friend class ApiClient;
  /// Registers how to end the current read; false when already interrupted.
  bool attach(std::function<void()> end_read);
  void detach();
  mutable std::mutex mutex_;
  std::function<void()> end_read_;
  bool interrupted_ = false;
};

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
  /// GET …/pods/{name}/log?container=<container>&follow=true: calls `on_line` with each line
  /// (without its '\n') as the container prints it, until the container ends (the server closes
  /// the stream) or `interrupt` is used. A read silent for `idle_timeout` ends it too.
  void follow_pod_log(const std::string& name, const std::string& container, std::chrono::seconds idle_timeout,
                      StreamInterrupt& interrupt, const std::function<void(std::string_view line)>& on_line);

  /// POST /api/v1/namespaces/{ns}/secrets. The Secret's data never appears in errors or logs.
  void create_secret(const oci::Json& secret);
  /// DELETE …/secrets/{name}; a Secret already gone is not an error.
  void delete_secret(const std::string& name);

 private:
  struct Connection;
  ClusterConfig config_;
  std::unique_ptr<Connection> connection_;
};

}  // namespace kiln::kubernetes
