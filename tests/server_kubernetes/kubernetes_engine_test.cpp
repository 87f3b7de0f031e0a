// The kubernetes engine against a STAND-IN API server (tests/support/stand_in_kubernetes_api.h;
// there is no cluster and no Kaniko executor here) that plays a build pod's life as a kubelet
// reports it: the result of each ending, the executor's log streamed in order, the pod and the
// per-build Secret deleted in every case, and no secret in the pod, its args or a message.
#include "server/engine/kubernetes/kubernetes_engine.h"

#include <gtest/gtest.h>

#include <thread>

#include "core/error.h"
#include "core/temp_dir.h"
#include "tests/server_kubernetes/build_pod_fixtures.h"
#include "tests/support/stand_in_kubernetes_api.h"

namespace kiln::server {
namespace {

using namespace std::chrono_literals;
using kiln::testing::ScriptedPod;
using kiln::testing::StandInKubernetesApi;
using namespace kiln::server::testing;

const std::string api_token = "sa-token-Qm4vR8tLw2";
const std::string context_token = "ctx-token-9fJ2kP0aZ7";
const std::string digest = "sha256:" + std::string(64, 'd');
const std::string executor_image = "gcr.io/kaniko-project/executor@sha256:" + std::string(64, 'e');
const std::vector<std::string> executor_lines = {
    "INFO[0000] Retrieving image manifest busybox:1.36", "INFO[0001] Executing 0 build triggers",
    "INFO[0001] RUN echo building", "building", "INFO[0002] Pushing image to 127.0.0.1:5000/team/app:1"};

std::string joined(const std::vector<std::string>& lines) {
  std::string text;
  for (const auto& line : lines) text += line + "\n";
  return text;
}

BuildRequest request(std::map<std::string, std::string> settings = {{"repo", "127.0.0.1:5000/team/app"},
                                                                    {"tags", "1"}}) {
  return {.id = "b1", .settings = std::move(settings), .context_dir = "/srv/kiln/contexts/b1",
          .context_url = "http://kiln-server.kiln.svc:8080/v1/builds/b1/context", .context_token = context_token};
}

struct Outcome {
  BuildResult result;
  std::vector<std::string> log;
  std::chrono::milliseconds took{0};
};

class EngineTest : public ::testing::Test {
 protected:
  std::unique_ptr<Engine> engine(const StandInKubernetesApi& api, std::chrono::seconds deadline = 600s,
                                 const std::string& token = api_token) {
    KubernetesEngineConfig config;
    config.kubeconfig = write_kubeconfig(dir_.path(), api.server(), token).string();
    config.executor_image = executor_image;
    config.registry_secret = "regcred";
    config.deadline = deadline;
    config.deadline_slack = 1s;
    config.watch_timeout = 1s;
    config.log_grace = 3000ms;
    return make_kubernetes_engine(config);
  }

  Outcome run(Engine& engine, const BuildRequest& req, const std::atomic<bool>& cancel) {
    Outcome r;
    const auto start = std::chrono::steady_clock::now();
    r.result = engine.run(req, [&](std::string_view line) { r.log.emplace_back(line); }, cancel);
    r.took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
    return r;
  }

  Outcome run(const StandInKubernetesApi& api, const BuildRequest& req = request()) {
    std::atomic<bool> cancel{false};
    auto e = engine(api);
    return run(*e, req, cancel);
  }

  // Whatever the ending: nothing left in the cluster, and no secret anywhere but the Secret.
  static void expect_clean(const StandInKubernetesApi& api, const Outcome& r, bool created = true) {
    EXPECT_TRUE(api.live_pods().empty()) << "the pod was left behind";
    EXPECT_TRUE(api.live_secrets().empty()) << "the context Secret was left behind";
    if (created) {
      EXPECT_EQ(api.deleted_pods(), std::vector<std::string>{"kiln-build-b1"});
      EXPECT_EQ(api.deleted_secrets(), std::vector<std::string>{"kiln-build-b1-context"});
    }
    EXPECT_EQ(r.result.message.find(context_token), std::string::npos) << r.result.message;
    EXPECT_EQ(r.result.message.find(api_token), std::string::npos) << r.result.message;
    for (const auto& line : r.log) EXPECT_EQ(line.find(context_token), std::string::npos) << line;
    for (const auto& req : api.requests()) {
      const bool secret_post = req.method == "POST" && req.uri.find("/secrets") != std::string::npos;
      if (!secret_post) {
        EXPECT_EQ(req.body.find(context_token), std::string::npos) << req.method << " " << req.uri;
      }
      EXPECT_EQ(req.uri.find(context_token), std::string::npos) << req.uri;
    }
    if (auto pod = api.created_pod()) {
      EXPECT_EQ(pod->dump().find(context_token), std::string::npos);
    }
  }

  TempDir dir_{"kiln-kube-engine"};
};

ScriptedPod finishing(oci::Json last, const std::string& log = joined(executor_lines)) {
  ScriptedPod pod;
  pod.statuses = {pending(), executor_running(), std::move(last)};
  pod.logs = {{"executor", log}, {"fetch-context", ""}};
  pod.line_gap = 30ms;
  return pod;
}

TEST_F(EngineTest, SucceedsWithTheDigestFromTheTerminationMessageAndStreamsTheLog) {
  StandInKubernetesApi api(finishing(executor_ended("Succeeded", terminated(0, "Completed", digest + "\n"))), api_token);
  const Outcome r = run(api);
  EXPECT_EQ(r.result.state, BuildResult::State::succeeded) << r.result.message;
  EXPECT_EQ(r.result.exit_code, 0);
  EXPECT_EQ(r.result.digest, digest);
  EXPECT_EQ(r.log, executor_lines);
  expect_clean(api, r);

  // The log was followed, not read afterwards; the Secret holds the token the pod refers to.
  bool followed = false;
  for (const auto& req : api.requests()) {
    followed = followed || req.uri.find("/pods/kiln-build-b1/log?container=executor&follow=true") != std::string::npos;
    EXPECT_EQ(req.authorization, "Bearer " + api_token);
  }
  EXPECT_TRUE(followed);
  ASSERT_EQ(api.created_secrets().size(), 1u);
  const auto secret = api.created_secrets().front();
  EXPECT_EQ(secret["metadata"]["name"], "kiln-build-b1-context");
  EXPECT_EQ(secret["stringData"]["token"], context_token);
  const auto pod = *api.created_pod();
  EXPECT_EQ(pod["spec"]["initContainers"][0]["env"][2]["valueFrom"]["secretKeyRef"]["name"], "kiln-build-b1-context");
  EXPECT_EQ(pod["metadata"]["labels"]["kiln.dev/build-id"], "b1");
}

TEST_F(EngineTest, AFailingRunFailsWithItsExitCode) {
  StandInKubernetesApi api(
      finishing(executor_ended("Failed", terminated(2, "Error", "error building image: exit status 2"))), api_token);
  const Outcome r = run(api);
  EXPECT_EQ(r.result.state, BuildResult::State::failed);
  EXPECT_EQ(r.result.exit_code, 2);
  EXPECT_EQ(r.result.digest, "");
  EXPECT_EQ(r.result.message, "build pod 'imgbuild/kiln-build-b1': kaniko executor exited 2");
  EXPECT_EQ(r.log, executor_lines);
  expect_clean(api, r);
}

TEST_F(EngineTest, AnOomKilledExecutorIs137) {
  StandInKubernetesApi api(finishing(executor_ended("Failed", terminated(137, "OOMKilled"))), api_token);
  const Outcome r = run(api);
  EXPECT_EQ(r.result.state, BuildResult::State::failed);
  EXPECT_EQ(r.result.exit_code, 137);
  EXPECT_NE(r.result.message.find("kaniko executor exited 137: killed (out of memory?)"), std::string::npos)
      << r.result.message;
  EXPECT_NE(r.result.message.find("(OOMKilled)"), std::string::npos) << r.result.message;
  expect_clean(api, r);
}

TEST_F(EngineTest, ImagePullBackOffFailsWithTheEvents) {
  ScriptedPod pod;
  const std::string backoff = "Back-off pulling image \"" + executor_image + "\"";
  pod.statuses = {pending(), pod_status("Pending", waiting("ImagePullBackOff", backoff), waiting("PodInitializing"))};
  pod.events = {{{"type", "Warning"}, {"reason", "Failed"}, {"message", "Failed to pull image: not found"},
                 {"source", {{"component", "kubelet"}}}}};
  StandInKubernetesApi api(pod, api_token);
  const Outcome r = run(api);
  EXPECT_EQ(r.result.state, BuildResult::State::failed);
  EXPECT_EQ(r.result.exit_code, -1);
  EXPECT_EQ(r.result.message, "build pod 'imgbuild/kiln-build-b1': container 'fetch-context': ImagePullBackOff: " +
                                  backoff + "\nevents:\n  Warning Failed (kubelet): Failed to pull image: not found");
  EXPECT_TRUE(r.log.empty());
  expect_clean(api, r);
}

TEST_F(EngineTest, TheDeadlineFailsTheBuild) {
  oci::Json failed = executor_ended("Failed", terminated(137, "Error"));
  failed["reason"] = "DeadlineExceeded";
  failed["message"] = "Pod was active on the node longer than the specified deadline";
  StandInKubernetesApi api(finishing(failed), api_token);
  const Outcome r = run(api);
  EXPECT_EQ(r.result.state, BuildResult::State::failed);
  EXPECT_EQ(r.result.exit_code, -1);
  EXPECT_EQ(r.result.message.substr(0, r.result.message.find('\n')),
            "build pod 'imgbuild/kiln-build-b1': the build pod exceeded its deadline (activeDeadlineSeconds): "
            "DeadlineExceeded: Pod was active on the node longer than the specified deadline");
  expect_clean(api, r);
}

TEST_F(EngineTest, APodThatNeverEndsFailsAfterDeadlineAndSlack) {
  ScriptedPod pod;
  pod.statuses = {pending()};  // never scheduled, never failed: nothing but time ends it
  StandInKubernetesApi api(pod, api_token);
  std::atomic<bool> cancel{false};
  auto e = engine(api, 1s);
  const Outcome r = run(*e, request(), cancel);
  EXPECT_EQ(r.result.state, BuildResult::State::failed);
  EXPECT_EQ(r.result.message.substr(0, r.result.message.find('\n')),
            "build pod 'imgbuild/kiln-build-b1': no result within 2 s (activeDeadlineSeconds 1 + 1 s)");
  EXPECT_LT(r.took, 6s);
  expect_clean(api, r);
}

TEST_F(EngineTest, UnschedulableAndInitFailuresSayWhy) {
  {
    ScriptedPod pod;
    pod.statuses = {{{"phase", "Pending"},
                     {"conditions", {{{"type", "PodScheduled"}, {"status", "False"}, {"reason", "Unschedulable"},
                                      {"message", "0/3 nodes are available: 3 Insufficient memory."}}}}}};
    StandInKubernetesApi api(pod, api_token);
    const Outcome r = run(api);
    EXPECT_EQ(r.result.message.substr(0, r.result.message.find('\n')),
              "build pod 'imgbuild/kiln-build-b1': the build pod cannot be scheduled: Unschedulable: 0/3 nodes are "
              "available: 3 Insufficient memory.");
    expect_clean(api, r);
  }
  {
    ScriptedPod pod;
    pod.statuses = {pending(), pod_status("Failed", terminated(1, "Error", "wget: server returned error: HTTP/1.1 401 "
                                                                          "Unauthorized"),
                                          waiting("PodInitializing"))};
    StandInKubernetesApi api(pod, api_token);
    const Outcome r = run(api);
    EXPECT_EQ(r.result.exit_code, -1);
    EXPECT_EQ(r.result.message.substr(0, r.result.message.find('\n')),
              "build pod 'imgbuild/kiln-build-b1': init container 'fetch-context' could not fetch the build context "
              "(exit code 1): Error: wget: server returned error: HTTP/1.1 401 Unauthorized");
    expect_clean(api, r);
  }
}

TEST_F(EngineTest, CancelDeletesThePodAndReturnsEarly) {
  ScriptedPod pod;
  pod.statuses = {pending(), executor_running()};  // the executor runs until it is stopped
  pod.logs = {{"executor", joined(executor_lines)}};
  pod.line_gap = 10ms;
  StandInKubernetesApi api(pod, api_token);
  std::atomic<bool> cancel{false};
  auto e = engine(api);
  // Cancelled when the executor's last line arrives, not after a guessed delay: the pod is
  // surely running and streaming then, whatever the machine's load.
  Outcome r;
  const auto start = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point cancelled_at;
  r.result = e->run(request(), [&](std::string_view line) {
    r.log.emplace_back(line);
    if (line == executor_lines.back() && !cancel) {
      cancelled_at = std::chrono::steady_clock::now();
      cancel = true;
    }
  }, cancel);
  const auto end = std::chrono::steady_clock::now();
  r.took = std::chrono::duration_cast<std::chrono::milliseconds>(end - start);
  EXPECT_EQ(r.result.state, BuildResult::State::cancelled) << r.result.message;
  EXPECT_EQ(r.result.message, "cancelled: its pod was deleted");
  EXPECT_LT(end - cancelled_at, 4s);  // one watch_timeout after the cancel, plus the deletes
  EXPECT_EQ(r.log, executor_lines);  // what ran until then was streamed
  expect_clean(api, r);
}

TEST_F(EngineTest, SettingsThePodCannotTakeFailBeforeAnythingIsCreated) {
  StandInKubernetesApi api(finishing(executor_ended("Succeeded", terminated(0, "Completed", digest))), api_token);
  const std::string password = "registry-pass-77Xq";
  const std::vector<std::pair<std::map<std::string, std::string>, std::string>> cases = {
      {{{"tags", "1"}}, "setting repo: is required"},
      {{{"repo", "127.0.0.1:5000/a"}, {"username", "ci"}, {"password", password}},
       "settings username / password / config: the kubernetes engine takes registry credentials only from the Secret "
       "named by kubernetes.registry_secret, never from build settings"},
      {{{"repo", "127.0.0.1:5000/a"}, {"dockerfile", "/etc/Dockerfile"}},
       "setting dockerfile: '/etc/Dockerfile' must be a path inside the build context (the kubernetes engine unpacks "
       "it at /workspace)"},
      {{{"repo", "127.0.0.1:5000/a"}, {"context", "../other"}},
       "setting context: '../other' must be a path inside the build context (the kubernetes engine unpacks it at "
       "/workspace)"},
  };
  for (const auto& [settings, expected] : cases) {
    const Outcome r = run(api, request(settings));
    EXPECT_EQ(r.result.state, BuildResult::State::failed);
    EXPECT_EQ(r.result.message.substr(0, expected.size()), expected);
    EXPECT_EQ(r.result.message.find(password), std::string::npos) << r.result.message;
  }
  EXPECT_FALSE(api.created_pod());
  EXPECT_TRUE(api.created_secrets().empty());
}

TEST_F(EngineTest, AnApiThatRefusesIsAFailedBuildNamingTheCallAndNoSecret) {
  StandInKubernetesApi api(finishing(executor_ended("Succeeded", terminated(0, "Completed", digest))), api_token);
  std::atomic<bool> cancel{false};
  auto e = engine(api, 600s, "wrong-token-Zz81");
  const Outcome r = run(*e, request(), cancel);
  EXPECT_EQ(r.result.state, BuildResult::State::failed);
  EXPECT_EQ(r.result.message.substr(0, r.result.message.find(" (")),
            "Kubernetes API: cannot create secrets in namespace 'imgbuild'");
  EXPECT_NE(r.result.message.find("401"), std::string::npos) << r.result.message;
  EXPECT_EQ(r.result.message.find("wrong-token-Zz81"), std::string::npos) << r.result.message;
  expect_clean(api, r, /*created=*/false);
  EXPECT_FALSE(api.created_pod());
}

TEST_F(EngineTest, RefusesAConfigWithoutExecutorImage) {
  KubernetesEngineConfig config;
  config.kubeconfig = "/nonexistent";
  try {
    make_kubernetes_engine(config);
    ADD_FAILURE() << "accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_class(), ExitClass::usage);
    EXPECT_EQ(std::string(e.what()).substr(0, 35), "kubernetes.executor_image is requir");
  }
}

}  // namespace
}  // namespace kiln::server
