#pragma once
// A STAND-IN for the Kubernetes API server, for tests only: there is no cluster on these
// machines. Poco::Net::HTTPServer on 127.0.0.1 and a free port, serving just the core/v1 calls
// kiln-verify's kubernetes driver and kiln-server's kubernetes engine make (create, get and
// watch one pod, its log — whole or followed —, its events, delete; create and delete Secrets),
// and playing a scripted pod lifecycle: one of the PodScripts of a check pod, or the statuses a
// test writes itself (ScriptedPod). It checks the bearer token and records every
// request so tests can assert what was sent, and that the pod was always deleted.
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace kiln::testing {

/// How the stand-in's pod lives after it is created.
enum class PodScript {
  succeeds,            ///< Pending → Running → Succeeded; the log is `probe_log`
  probe_fails,         ///< the check container exits 3
  image_pull_backoff,  ///< check container waits in ErrImagePull, then ImagePullBackOff
  unschedulable,       ///< PodScheduled=False, reason Unschedulable
  oom_killed,          ///< check container terminated with reason OOMKilled
  deadline_exceeded,   ///< pod Failed with reason DeadlineExceeded (activeDeadlineSeconds)
  init_fails,          ///< install-probe exits 1
  never_finishes,      ///< stays Running; watches end empty-handed
  watch_gone,          ///< the first watch answers an ERROR event 410 Gone, then as `succeeds`
  create_forbidden,    ///< POST pods answers 403 Forbidden (no RBAC)
};

/// A pod lifecycle written by the test, for pods other than kiln-verify's check pod.
struct ScriptedPod {
  /// The pod's `status` objects after creation, in order; watches deliver them as MODIFIED
  /// events (resourceVersion 2, 3, …). A container's termination message is part of them.
  std::vector<nlohmann::json> statuses;
  /// What each container logs, by container name.
  std::map<std::string, std::string> logs;
  /// The items of the pod's EventList.
  nlohmann::json events = nlohmann::json::array();
  /// With follow=true the log is streamed a line at a time, this long apart. Then, as a kubelet
  /// does, the stream ends when the last status shows the container terminated; otherwise it
  /// stays open until the pod is deleted (at most 20 s here).
  std::chrono::milliseconds line_gap{20};
};

/// Serve https:// instead: PEM files of the server's certificate (valid for 127.0.0.1) and key,
/// and the CA that client certificates must chain to (a client without one is refused).
struct StandInTls {
  std::string certificate_file;
  std::string key_file;
  std::string client_ca_file;
};

struct RecordedRequest {
  std::string method;
  std::string uri;
  std::string authorization;
  std::string body;
};

class StandInKubernetesApi {
 public:
  /// `token`: the bearer token every request must carry (401 otherwise); empty: none is
  /// checked (the client proves itself with a certificate under `tls`).
  StandInKubernetesApi(PodScript script, std::string token, std::string probe_log = "",
                       std::optional<StandInTls> tls = std::nullopt);
  /// A pod that lives as `pod` says; its name is the one the client asks for (metadata.name).
  StandInKubernetesApi(ScriptedPod pod, std::string token);
  ~StandInKubernetesApi();
  StandInKubernetesApi(const StandInKubernetesApi&) = delete;
  StandInKubernetesApi& operator=(const StandInKubernetesApi&) = delete;

  /// "http://127.0.0.1:<port>", or https:// with `tls`
  std::string server() const;
  std::vector<RecordedRequest> requests() const;
  /// The body of the POST that created the pod, as sent.
  std::optional<nlohmann::json> created_pod() const;
  /// Names of pods created and not deleted.
  std::vector<std::string> live_pods() const;
  std::vector<std::string> deleted_pods() const;
  /// Bodies of the POSTs that created Secrets, as sent.
  std::vector<nlohmann::json> created_secrets() const;
  /// Names of Secrets created and not deleted.
  std::vector<std::string> live_secrets() const;
  std::vector<std::string> deleted_secrets() const;

  struct State;

 private:
  /// Starts serving on a free port of 127.0.0.1, with TLS when `tls` is given.
  void listen(const std::optional<StandInTls>& tls);

  std::shared_ptr<State> state_;
  struct Server;
  std::unique_ptr<Server> server_;
  bool tls_ = false;
};

}  // namespace kiln::testing
