#include "kubernetes/pod_watch.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <thread>

#include "kubernetes/pod_status.h"

namespace kiln::kubernetes {
namespace {

constexpr int max_watch_rounds = 100000;  // the deadline ends the loop first; this only bounds it
// A server that closes the stream at once must not make us spin.
constexpr std::chrono::milliseconds pause_after_empty_watch{200};

}  // namespace

PodWatchEnd watch_until_settled(ApiClient& client, const std::string& name, oci::Json& pod,
                                const PodWatchOptions& options, const std::function<bool(const oci::Json& pod)>& settled) {
  const auto stopping = [&] { return options.stop && options.stop->load(); };
  if (settled(pod)) return PodWatchEnd::settled;
  std::string version = resource_version(pod);
  for (int round = 0; round < max_watch_rounds; ++round) {
    if (stopping()) return PodWatchEnd::stopped;
    // Rounded up: a watch's timeoutSeconds is whole seconds, and ending early would give up on a
    // pod that still had time.
    const auto now = std::chrono::steady_clock::now();
    if (options.deadline <= now) return PodWatchEnd::deadline;
    const auto left = std::chrono::ceil<std::chrono::seconds>(options.deadline - now);
    bool saw_event = false;
    bool deleted = false;
    bool done = false;
    const WatchEnd end = client.watch_pod(name, version, std::min(left, options.longest_watch),
                                          [&](const std::string& type, const oci::Json& object) {
                                            saw_event = true;
                                            if (type == "DELETED") {
                                              deleted = true;
                                              return WatchNext::stop;
                                            }
                                            pod = object;
                                            version = resource_version(object);
                                            done = settled(object);
                                            return done || stopping() ? WatchNext::stop : WatchNext::keep_watching;
                                          });
    if (deleted) return PodWatchEnd::deleted;
    if (done) return PodWatchEnd::settled;
    if (end == WatchEnd::gone) {
      // Our resourceVersion was compacted away: read the pod again and watch from its version.
      spdlog::debug("kubernetes: watch of pod '{}' expired (410 Gone); reading the pod again", name);
      pod = client.get_pod(name);
      version = resource_version(pod);
      if (settled(pod)) return PodWatchEnd::settled;
    } else if (end == WatchEnd::closed && !saw_event) {
      std::this_thread::sleep_for(pause_after_empty_watch);
    }
  }
  return PodWatchEnd::deadline;
}

}  // namespace kiln::kubernetes
