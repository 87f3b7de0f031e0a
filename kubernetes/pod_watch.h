#pragma once
// Following one pod until its status settles: a watch from the pod's resourceVersion, watched
// again when the server ends the stream, the pod read again when its version is too old (410
// Gone), until the caller's judgement says it is done, the pod is deleted, the deadline passes
// or the caller stops. kiln-verify's check pods and kiln-server's build pods both wait this way.
#include <atomic>
#include <chrono>
#include <functional>
#include <string>

#include "kubernetes/api_client.h"
#include "oci/json.h"

namespace kiln::kubernetes {

enum class PodWatchEnd {
  settled,   ///< `settled` returned true
  deleted,   ///< someone else deleted the pod
  deadline,  ///< the deadline passed first
  stopped,   ///< `stop` was set
};

struct PodWatchOptions {
  std::chrono::steady_clock::time_point deadline;
  std::chrono::seconds longest_watch{60};  ///< one watch request's timeoutSeconds at most
  /// Set from another thread to end the wait at the next event or the end of the current watch.
  const std::atomic<bool>* stop = nullptr;
};

/// Follows pod `name`, starting from `pod` (what create returned), and leaves the last state
/// seen in `pod`. `settled` judges each state (also the first) and says when the wait is over.
PodWatchEnd watch_until_settled(ApiClient& client, const std::string& name, oci::Json& pod,
                                const PodWatchOptions& options, const std::function<bool(const oci::Json& pod)>& settled);

}  // namespace kiln::kubernetes
