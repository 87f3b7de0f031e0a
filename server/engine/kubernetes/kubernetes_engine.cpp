#include "server/engine/kubernetes/kubernetes_engine.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <functional>
#include <sstream>

#include "core/env.h"
#include "core/error.h"
#include "core/log.h"
#include "core/text.h"
#include "kubernetes/api_client.h"
#include "kubernetes/cluster_config.h"
#include "kubernetes/pod_events.h"
#include "kubernetes/pod_watch.h"
#include "oci/digest.h"
#include "plugin/backend/kaniko/kaniko.h"
#include "server/engine/kubernetes/build_pod_verdict.h"
#include "server/engine/kubernetes/executor_command.h"
#include "server/engine/kubernetes/executor_log.h"

namespace kiln::server {
namespace {

using namespace std::chrono_literals;
using kubernetes::ApiClient;

constexpr std::size_t whole_log_limit = 4 << 20;

// Deletes a cluster object when the build ends, however it ends; a failure is logged with the
// object's name (the label app.kubernetes.io/managed-by=kiln-server finds leftovers).
class DeleteOnExit {
 public:
  DeleteOnExit(std::string what, std::function<void()> remove) : what_(std::move(what)), remove_(std::move(remove)) {}
  ~DeleteOnExit() { now(); }
  DeleteOnExit(const DeleteOnExit&) = delete;
  DeleteOnExit& operator=(const DeleteOnExit&) = delete;
  void now() {
    if (!remove_) return;
    try {
      remove_();
    } catch (const std::exception& e) {
      spdlog::warn("kubernetes engine: could not delete {}: {}", what_, e.what());
    }
    remove_ = nullptr;
  }

 private:
  std::string what_;
  std::function<void()> remove_;
};

bool valid_build_id(const std::string& id) {
  const auto ok = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; };
  return !id.empty() && id.size() <= 50 && std::all_of(id.begin(), id.end(), ok) && id.front() != '-' &&
         id.back() != '-';
}

BuildResult failed(std::string message, int exit_code = -1) {
  return {.state = BuildResult::State::failed, .exit_code = exit_code, .digest = {}, .message = std::move(message)};
}

class KubernetesEngine final : public Engine {
 public:
  KubernetesEngine(KubernetesEngineConfig config, kubernetes::ClusterConfig cluster)
      : config_(std::move(config)), cluster_(std::move(cluster)) {}

  std::string name() const override { return "kubernetes"; }

  BuildResult run(const BuildRequest& request, const LogSink& log, const std::atomic<bool>& cancel) override {
    const log::ScopedSecrets redacted_while_it_runs({request.context_token});
    try {
      return build(request, log, cancel);
    } catch (const std::exception& e) {
      // Settings the pod cannot take, or the API refusing: one line for the API, no secret.
      return failed(log::redact(e.what()));
    }
  }

 private:
  BuildResult build(const BuildRequest& request, const LogSink& log, const std::atomic<bool>& cancel) const {
    if (!valid_build_id(request.id))
      throw_usage(fmt::format("build id '{}' cannot name Kubernetes objects (at most 50 of a-z, 0-9 and '-', not "
                              "starting or ending with '-')", request.id));
    if (request.context_url.empty() || request.context_token.empty())
      throw_usage("the kubernetes engine fetches the build context over HTTP: set kubernetes.context_base_url so "
                  "builds get a context URL and token");
    const ExecutorCommand command = executor_command(request.settings);
    for (const std::string& warning : command.warnings) log(fmt::format("kiln-server: {}", warning));
    if (cancel) return cancelled("no pod was created");

    ApiClient client(cluster_);
    const std::string pod_name = build_pod_name(request.id);
    const std::string where = fmt::format("build pod '{}/{}'", client.namespace_name(), pod_name);
    client.create_secret(context_secret(request.id, request.context_token));
    DeleteOnExit secret(fmt::format("secret '{}/{}'", client.namespace_name(), context_secret_name(request.id)),
                        [&client, &request] { client.delete_secret(context_secret_name(request.id)); });
    oci::Json pod = client.create_pod(kaniko_build_pod({.build_id = request.id,
                                                        .executor_image = config_.executor_image,
                                                        .executor_argv = command.argv,
                                                        .context_url = request.context_url,
                                                        .registry_secret = config_.registry_secret,
                                                        .active_deadline_seconds = static_cast<int>(config_.deadline.count()),
                                                        .workspace_size = config_.workspace_size,
                                                        .resources = config_.resources}));
    DeleteOnExit pod_guard(where, [&client, &pod_name] { client.delete_pod(pod_name); });
    spdlog::info("kubernetes engine: build {} runs in {}", request.id, where);

    // The log thread is declared after the guards: it stops before the pod is deleted.
    ExecutorLog executor_log(client, pod_name, log, config_.deadline + config_.deadline_slack);
    BuildPodVerdict verdict = watch(client, pod_name, pod, executor_log, cancel);

    if (cancel) {
      executor_log.stop();
      pod_guard.now();
      return cancelled("its pod was deleted");
    }
    if (verdict.kind == BuildPodVerdict::Kind::waiting)
      return failed(fmt::format("{}: no result within {} s (activeDeadlineSeconds {} + {} s){}", where,
                                (config_.deadline + config_.deadline_slack).count(), config_.deadline.count(),
                                config_.deadline_slack.count(), kubernetes::describe_pod_events(client, pod_name)));
    if (verdict.kind == BuildPodVerdict::Kind::pod_failed)
      return failed(log::redact(fmt::format("{}: {}{}", where, verdict.reason,
                                            kubernetes::describe_pod_events(client, pod_name))));

    deliver_log(client, pod_name, executor_log, log);
    if (verdict.exit_code != 0) {
      std::string message = fmt::format("{}: {}", where, plugin::kaniko_exit_message(verdict.exit_code));
      if (verdict.reason == "OOMKilled") message += " (OOMKilled)";
      return failed(message, verdict.exit_code);
    }
    // The executor writes the digest file before it pushes: trusted only now, after exit 0.
    const std::string text(trim(verdict.termination_message));
    try {
      return {.state = BuildResult::State::succeeded, .exit_code = 0, .digest = oci::Digest::parse(text).to_string(),
              .message = {}};
    } catch (const Error&) {
      return failed(fmt::format("{}: the executor exited 0 but its termination message is not a digest: '{}'", where,
                                log::redact(text.substr(0, 200))),
                    0);
    }
  }

  // Watches the pod until the executor finishes, the pod fails, the deadline passes or `cancel`
  // is set; starts following the executor's log as soon as it runs.
  BuildPodVerdict watch(ApiClient& client, const std::string& pod_name, oci::Json pod, ExecutorLog& executor_log,
                        const std::atomic<bool>& cancel) const {
    BuildPodVerdict verdict;
    const kubernetes::PodWatchEnd end = kubernetes::watch_until_settled(
        client, pod_name, pod,
        {.deadline = std::chrono::steady_clock::now() + config_.deadline + config_.deadline_slack,
         .longest_watch = config_.watch_timeout,
         .stop = &cancel},
        [&](const oci::Json& object) {
          if (executor_started(object)) executor_log.start();
          verdict = judge_build_pod(object);
          return verdict.kind != BuildPodVerdict::Kind::waiting;
        });
    if (end == kubernetes::PodWatchEnd::deleted)
      verdict = {.kind = BuildPodVerdict::Kind::pod_failed, .exit_code = -1, .termination_message = {},
                 .reason = "the pod was deleted by someone else"};
    return verdict;
  }

  // The executor's log reaches the sink whole: the rest of the followed stream, or, when the
  // executor ran and ended between two watch events, the log read at once.
  void deliver_log(ApiClient& client, const std::string& pod_name, ExecutorLog& executor_log, const LogSink& log) const {
    if (executor_log.started()) {
      executor_log.finish(config_.log_grace);
      if (!executor_log.error().empty()) log(fmt::format("kiln-server: the executor's log is incomplete: {}", executor_log.error()));
      return;
    }
    try {
      std::istringstream lines(client.pod_log(pod_name, executor_container, whole_log_limit));
      for (std::string line; std::getline(lines, line);) log(log::redact(line));
    } catch (const std::exception& e) {
      log(fmt::format("kiln-server: the executor's log is unavailable: {}", e.what()));
    }
  }

  static BuildResult cancelled(const std::string& what) {
    return {.state = BuildResult::State::cancelled, .exit_code = -1, .digest = {}, .message = "cancelled: " + what};
  }

  KubernetesEngineConfig config_;
  kubernetes::ClusterConfig cluster_;
};

}  // namespace

std::unique_ptr<Engine> make_kubernetes_engine(const KubernetesEngineConfig& config) {
  if (config.executor_image.empty())
    throw_usage("kubernetes.executor_image is required: a Kaniko debug image pinned by digest, e.g. "
                "gcr.io/kaniko-project/executor@sha256:… (its -debug variant: the context fetch needs its busybox)");
  if (config.deadline <= 0s) throw_usage("kubernetes.deadline must be a positive number of seconds");
  if (config.executor_image.find("@sha256:") == std::string::npos)
    spdlog::warn("kubernetes.executor_image '{}' is not pinned by digest: every node may pull another executor",
                 config.executor_image);
  kubernetes::ClusterConfig cluster =
      config.kubeconfig.empty()
          ? kubernetes::read_in_cluster(Env::from_process(), config.service_account_dir)
          : kubernetes::read_kubeconfig({config.kubeconfig}, config.context);
  if (!config.namespace_name.empty()) cluster.namespace_name = config.namespace_name;
  if (cluster.namespace_name.empty()) cluster.namespace_name = "default";
  return std::make_unique<KubernetesEngine>(config, std::move(cluster));
}

}  // namespace kiln::server
