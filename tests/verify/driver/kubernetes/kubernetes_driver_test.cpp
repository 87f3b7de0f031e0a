// The kubernetes driver against a STAND-IN API server (tests/support/stand_in_kubernetes_api.h;
// there is no cluster here) that plays the pod lifecycle: the verdict of each script, the pod
// deleted in every case, the bearer token sent and never shown.
#include "verify/driver/kubernetes/kubernetes_driver.h"

#include <gtest/gtest.h>

#include <fstream>

#include "core/error.h"
#include "core/process.h"
#include "core/temp_dir.h"
#include "tests/support/stand_in_kubernetes_api.h"

namespace kiln::verify {
namespace {

using kiln::testing::PodScript;
using kiln::testing::StandInKubernetesApi;

const std::string token = "sa-token-Zk9qW3xY";

ImageUnderTest image(const std::string& user = "1000:1000") {
  oci::Json config = {{"architecture", "amd64"}, {"os", "linux"}, {"config", {{"User", user}}}};
  return {.reference = "127.0.0.1:5000/app:1",
          .pinned = "127.0.0.1:5000/app@sha256:" + std::string(64, 'a'),
          .image = {.media_type = "application/vnd.oci.image.manifest.v1+json",
                    .manifest_bytes = "{}",
                    .digest = oci::Digest::from_sha256_hex(std::string(64, 'a')),
                    .manifest = oci::Json::object(),
                    .config = config,
                    .platform = oci::Platform::parse("linux/amd64")},
          .blobs = nullptr};
}

inspect::FactRequest request() {
  return {.paths = {{.path = "/usr/local/app/main", .sha256 = true}},
          .commands = {{.id = "version", .argv = {"/usr/local/app/main", "--version"}}}};
}

inspect::Facts facts() {
  inspect::Facts f;
  f.paths.push_back({.path = "/usr/local/app/main", .exists = true,
                     .stat = {.type = inspect::FileStat::Type::file, .mode = 0755, .uid = 0, .gid = 0, .size = 42},
                     .sha256 = std::string(64, 'c')});
  f.commands.push_back({.id = "version", .ran = true, .exit_code = 0, .stdout_text = "main 1.0\n"});
  return f;
}

// What kiln-probe's check container logs: diagnostics on stderr, then its one JSON line.
std::string probe_log() {
  return "kiln-probe: checking 1 path, 1 command\n{not json: a stray stderr line}\n" + inspect::to_json(facts()).dump() +
         "\nkiln-probe: done\n";
}

KubernetesDriver driver(const StandInKubernetesApi& api, int deadline = 60) {
  KubernetesDriverOptions options;
  options.cluster = {.server = api.server(), .token = token, .namespace_name = "ci", .source = "test"};
  options.verify_image = "kiln/verify@sha256:" + std::string(64, 'b');
  options.active_deadline_seconds = deadline;
  options.deadline_slack = std::chrono::seconds(1);
  options.run_id = "run-1";
  return KubernetesDriver(options);
}

// Runs collect() against a script that must end in an infrastructure error; returns its message.
std::string infra_error(PodScript script, int deadline = 60) {
  StandInKubernetesApi api(script, token, probe_log());
  auto d = driver(api, deadline);
  std::string message;
  try {
    d.collect(image(), request());
    ADD_FAILURE() << "collect() succeeded";
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_class(), ExitClass::infra);
    message = e.what();
  }
  EXPECT_TRUE(api.live_pods().empty()) << "the pod was left behind";
  if (script != PodScript::create_forbidden) {
    EXPECT_EQ(api.deleted_pods(), std::vector<std::string>{"kiln-verify-x7k2p"});
  }
  EXPECT_EQ(message.find(token), std::string::npos) << message;
  for (const auto& r : api.requests()) EXPECT_EQ(r.authorization, "Bearer " + token) << r.method << " " << r.uri;
  return message;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

TEST(KubernetesDriver, ReadsTheProbesFactsFromTheLogAndDeletesThePod) {
  StandInKubernetesApi api(PodScript::succeeds, token, probe_log());
  auto d = driver(api);
  EXPECT_EQ(d.name(), "kubernetes");
  EXPECT_EQ(d.collect(image(), request()), facts());
  EXPECT_TRUE(api.live_pods().empty());
  EXPECT_EQ(api.deleted_pods(), std::vector<std::string>{"kiln-verify-x7k2p"});

  std::vector<std::string> calls;
  for (const auto& r : api.requests()) {
    EXPECT_EQ(r.authorization, "Bearer " + token) << r.uri;
    calls.push_back(r.method + " " + r.uri.substr(0, r.uri.find('?')));
  }
  ASSERT_GE(calls.size(), 4u);
  EXPECT_EQ(calls.front(), "POST /api/v1/namespaces/ci/pods");
  EXPECT_EQ(calls[1], "GET /api/v1/namespaces/ci/pods");  // the watch
  EXPECT_EQ(calls[calls.size() - 2], "GET /api/v1/namespaces/ci/pods/kiln-verify-x7k2p/log");
  EXPECT_EQ(calls.back(), "DELETE /api/v1/namespaces/ci/pods/kiln-verify-x7k2p");
  const auto requests = api.requests();
  EXPECT_EQ(requests[1].uri,
            "/api/v1/namespaces/ci/pods?watch=1&fieldSelector=metadata.name%3Dkiln-verify-x7k2p&resourceVersion=1&"
            "timeoutSeconds=60");
  EXPECT_EQ(requests[requests.size() - 2].uri,
            "/api/v1/namespaces/ci/pods/kiln-verify-x7k2p/log?container=check&limitBytes=67108864");
  EXPECT_EQ(requests.back().uri,
            "/api/v1/namespaces/ci/pods/kiln-verify-x7k2p?gracePeriodSeconds=0&propagationPolicy=Background");
  EXPECT_EQ(nlohmann::json::parse(requests.back().body)["propagationPolicy"], "Background");
  // What was created is what --print-pod shows.
  EXPECT_EQ(*api.created_pod(), nlohmann::json::parse(d.pod_manifest(image(), request()).dump()));
}

TEST(KubernetesDriver, TheCreatedPodDeserializesStrictlyIntoV1Pod) {
  StandInKubernetesApi api(PodScript::succeeds, token, probe_log());
  auto d = driver(api);
  d.collect(image("nonroot"), request());
  ASSERT_TRUE(api.created_pod());
  TempDir dir("kiln-pod");
  std::ofstream(dir.path() / "pod.json") << api.created_pod()->dump();
  const auto result = run_process({"/usr/bin/python3", KILN_SOURCE_DIR "/tests/support/strict_manifest_check.py",
                                   (dir.path() / "pod.json").string()});
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
}

TEST(KubernetesDriver, ReListsAfter410GoneAndStillSucceeds) {
  StandInKubernetesApi api(PodScript::watch_gone, token, probe_log());
  auto d = driver(api);
  EXPECT_EQ(d.collect(image(), request()), facts());
  int watches = 0, gets = 0;
  for (const auto& r : api.requests()) {
    if (r.method == "GET" && contains(r.uri, "watch=1")) ++watches;
    if (r.method == "GET" && r.uri == "/api/v1/namespaces/ci/pods/kiln-verify-x7k2p") ++gets;
  }
  EXPECT_EQ(watches, 2);
  EXPECT_EQ(gets, 1);
  // The second watch starts from the version the re-read pod carried (the stand-in's 2).
  std::vector<std::string> watch_uris;
  for (const auto& r : api.requests())
    if (contains(r.uri, "watch=1")) watch_uris.push_back(r.uri);
  ASSERT_EQ(watch_uris.size(), 2u);
  EXPECT_TRUE(contains(watch_uris[0], "&resourceVersion=1&")) << watch_uris[0];
  EXPECT_TRUE(contains(watch_uris[1], "&resourceVersion=2&")) << watch_uris[1];
  EXPECT_TRUE(api.live_pods().empty());
}

TEST(KubernetesDriver, ClusterFailuresAreInfrastructureErrorsWithThePodsEvents) {
  const std::string where = "check pod 'ci/kiln-verify-x7k2p' for 127.0.0.1:5000/app@sha256:" + std::string(64, 'a') + ": ";
  struct Row {
    PodScript script;
    std::string starts_with;
    std::string event;
  };
  for (const Row& row : std::vector<Row>{
           {PodScript::image_pull_backoff, where + "container 'check': ErrImagePull: rpc error: code = NotFound",
            "Warning Failed (kubelet): Failed to pull image \"127.0.0.1:5000/app@sha256:0000\": not found"},
           {PodScript::unschedulable,
            where + "pod cannot be scheduled: Unschedulable: 0/3 nodes are available: 3 node(s) didn't match Pod's "
                    "node affinity/selector.",
            "Warning FailedScheduling (default-scheduler): 0/3 nodes are available"},
           {PodScript::oom_killed, where + "container 'check': OOMKilled: the probe ran out of memory; raise the memory limit",
            "Normal Scheduled (default-scheduler)"},
           {PodScript::deadline_exceeded,
            where + "pod exceeded its activeDeadlineSeconds: DeadlineExceeded: Pod was active on the node longer than "
                    "the specified deadline",
            "Normal Scheduled"},
           {PodScript::init_fails, where + "init container 'install-probe' failed with exit code 1: Error",
            "Normal Scheduled"},
       }) {
    SCOPED_TRACE(row.starts_with);
    const std::string message = infra_error(row.script);
    EXPECT_EQ(message.rfind(row.starts_with, 0), 0u) << message;
    EXPECT_TRUE(contains(message, "\nevents:\n  ")) << message;
    EXPECT_TRUE(contains(message, row.event)) << message;
  }
}

TEST(KubernetesDriver, AProbeThatFailsIsAnInfrastructureErrorWithTheLogTail) {
  const std::string message = infra_error(PodScript::probe_fails);
  EXPECT_TRUE(contains(message, ": kiln-probe exited with code 3; its log ends with:\nkiln-probe: checking 1 path"))
      << message;
}

TEST(KubernetesDriver, GivesUpAtItsOwnDeadlineAndStillDeletesThePod) {
  const auto start = std::chrono::steady_clock::now();
  const std::string message = infra_error(PodScript::never_finishes, /*deadline=*/1);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  EXPECT_TRUE(contains(message, ": no result within 2 s (activeDeadlineSeconds 1 + 1 s)\nevents:\n  Normal Scheduled"))
      << message;
}

TEST(KubernetesDriver, ForbiddenCreateNamesTheVerbAndTheApisMessage) {
  const std::string message = infra_error(PodScript::create_forbidden);
  EXPECT_EQ(message.rfind("Kubernetes API: cannot create pods in namespace 'ci' (POST http://127.0.0.1:", 0), 0u) << message;
  EXPECT_TRUE(contains(message, "/api/v1/namespaces/ci/pods): 403 Forbidden: pods is forbidden: User "
                                "\"system:serviceaccount:ci:kiln\" cannot create resource \"pods\""))
      << message;
}

TEST(KubernetesDriver, AWrongTokenIsRefusedAndNeverShown) {
  StandInKubernetesApi api(PodScript::succeeds, "the-right-token");
  auto d = driver(api);  // sends `token`
  try {
    d.collect(image(), request());
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_class(), ExitClass::infra);
    EXPECT_TRUE(contains(e.what(), "401 Unauthorized: Unauthorized")) << e.what();
    EXPECT_FALSE(contains(e.what(), token)) << e.what();
  }
}

TEST(KubernetesDriver, PlainHttpOnlyForLoopback) {
  KubernetesDriverOptions options;
  options.cluster = {.server = "http://10.0.0.1:8080", .namespace_name = "ci", .source = "kubeconfig 'x' context 'y'"};
  options.verify_image = "kiln/verify:1";
  KubernetesDriver d(options);
  try {
    d.collect(image(), request());
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_class(), ExitClass::usage);
    EXPECT_STREQ(e.what(),
                 "kubeconfig 'x' context 'y': server 'http://10.0.0.1:8080' must be https:// (plain http only on 127.0.0.1)");
  }
}

TEST(KubernetesDriver, RejectsARunIdThatCannotBeALabel) {
  KubernetesDriverOptions options;
  options.verify_image = "kiln/verify:1";
  for (const std::string good : {"", "run-1", "12345", "a.b_c"}) {
    options.run_id = good;
    EXPECT_NO_THROW(KubernetesDriver{options}) << good;
  }
  for (const std::string& bad : {std::string("-x"), std::string("x-"), std::string("a/b"), std::string(64, 'a')}) {
    options.run_id = bad;
    EXPECT_THROW(KubernetesDriver{options}, Error) << bad;
  }
}

TEST(ProbeLog, TakesTheLastLineThatIsAJsonObject) {
  const std::string first = inspect::to_json(inspect::Facts{}).dump();
  const std::string last = inspect::to_json(facts()).dump();
  EXPECT_EQ(facts_from_probe_log("warn: x\n" + first + "\n[1,2]\n" + last + "\n{broken\nbye\n"), facts());
  try {
    facts_from_probe_log("exec format error\n");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_class(), ExitClass::infra);
    EXPECT_STREQ(e.what(), "kiln-probe printed no JSON result; its log ends with:\nexec format error\n");
  }
}

}  // namespace
}  // namespace kiln::verify
