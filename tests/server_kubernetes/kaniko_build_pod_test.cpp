// The build pod and its Secret: valid for the official client's models, admitted where
// kaniko-pod.yaml's namespace enforces Pod Security "baseline", with that file's security
// context, the executor's flags from kiln-plugin's mapping, and no secret in the spec.
#include "server/engine/kubernetes/kaniko_build_pod.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "server/engine/kubernetes/executor_command.h"
#include "tests/server_kubernetes/strict_check.h"
#include "tests/support/pod_security.h"
#include "tests/support/yaml_json.h"

namespace kiln::server {
namespace {

using oci::Json;
using kiln::testing::PodSecurityLevel;

const std::string token = "ctx-token-Lk2mN7pQ4";

Json pod(const std::string& registry_secret = "regcred") {
  return kaniko_build_pod(
      {.build_id = "b-42",
       .executor_image = "gcr.io/kaniko-project/executor@sha256:" + std::string(64, 'e'),
       .executor_argv = executor_command({{"repo", "registry.example.com/team/app"}, {"tags", "1.0.0,latest"},
                                          {"dockerfile", "docker/Dockerfile"}, {"build_args", "A=1"}})
                            .argv,
       .context_url = "http://kiln-server.kiln.svc:8080/v1/builds/b-42/context",
       .registry_secret = registry_secret,
       .active_deadline_seconds = 1800});
}

const Json& deploy_pod() {
  static const std::vector<Json> docs = kiln::testing::load_yaml_documents(KILN_SOURCE_DIR "/kaniko-pod.yaml");
  for (const Json& doc : docs)
    if (doc["kind"] == "Pod") return doc;
  throw std::runtime_error("kaniko-pod.yaml has no Pod");
}

TEST(KanikoBuildPod, DeserializesStrictlyIntoV1PodAndV1Secret) {
  for (const Json& doc : {pod(), pod(""), context_secret("b-42", token)}) {
    const ProcessResult r = testing::strict_check(doc);
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_EQ(r.out, "");
  }
}

TEST(KanikoBuildPod, PassesBaselineWithDeployKanikoPodsSecurityContext) {
  const Json p = pod();
  const auto violations = kiln::testing::pod_security_violations(p, PodSecurityLevel::baseline);
  EXPECT_TRUE(violations.empty()) << kiln::testing::describe(violations);
  // The same rules of "restricted" broken as the manifest's pod, on purpose, and no more.
  EXPECT_EQ(kiln::testing::violated_rules(p, PodSecurityLevel::restricted),
            kiln::testing::violated_rules(deploy_pod(), PodSecurityLevel::restricted));

  const Json& reference = deploy_pod()["spec"];
  const Json& spec = p["spec"];
  EXPECT_EQ(spec["securityContext"], reference["securityContext"]);
  for (const char* list : {"initContainers", "containers"})
    for (const Json& container : spec[list])
      EXPECT_EQ(container["securityContext"], reference["containers"][0]["securityContext"]) << container["name"];
  EXPECT_EQ(spec["automountServiceAccountToken"], false);
  EXPECT_EQ(spec["enableServiceLinks"], false);
  EXPECT_EQ(spec["restartPolicy"], "Never");
  EXPECT_EQ(spec["activeDeadlineSeconds"], 1800);
  EXPECT_EQ(p["metadata"]["name"], "kiln-build-b-42");
  EXPECT_EQ(p["metadata"]["labels"]["kiln.dev/build-id"], "b-42");
  EXPECT_EQ(p["metadata"]["labels"]["app.kubernetes.io/managed-by"], "kiln-server");
}

TEST(KanikoBuildPod, ExecutorFlagsComeFromThePluginMapping) {
  const Json executor = pod()["spec"]["containers"][0];
  EXPECT_EQ(executor["name"], "executor");
  EXPECT_EQ(executor["command"], Json::array({"/kaniko/executor"}));
  const auto args = executor["args"].get<std::vector<std::string>>();
  const auto has = [&](const std::string& arg) { return std::find(args.begin(), args.end(), arg) != args.end(); };
  for (const char* arg : {"--dockerfile=/workspace/docker/Dockerfile", "--context=dir:///workspace",
                          "--destination=registry.example.com/team/app:1.0.0",
                          "--destination=registry.example.com/team/app:latest", "--build-arg=A=1",
                          "--digest-file=/dev/termination-log"})
    EXPECT_TRUE(has(arg)) << arg << " not in " << executor["args"].dump();
  EXPECT_EQ(args.front(), "--dockerfile=/workspace/docker/Dockerfile");  // drone-kaniko's order, as kaniko_argv
  EXPECT_EQ(executor["workingDir"], "/workspace");
  EXPECT_EQ(executor["terminationMessagePolicy"], "FallbackToLogsOnError");
}

TEST(KanikoBuildPod, CredentialsComeFromSecretsOnly) {
  const Json p = pod();
  const Json& spec = p["spec"];
  // Registry credentials: the docker-registry Secret's config.json, mounted read-only.
  EXPECT_EQ(spec["volumes"][1],
            Json::parse(R"({"name":"docker-config","secret":{"secretName":"regcred",
                            "items":[{"key":".dockerconfigjson","path":"config.json"}]}})"));
  EXPECT_EQ(spec["containers"][0]["volumeMounts"][1],
            Json::parse(R"({"name":"docker-config","mountPath":"/kaniko/.docker","readOnly":true})"));
  EXPECT_EQ(pod("")["spec"]["volumes"].size(), 1u);
  // The context token: a secretKeyRef into the per-build Secret, which holds it.
  const Json& fetch = spec["initContainers"][0];
  EXPECT_EQ(fetch["env"][2], Json::parse(R"({"name":"TOKEN","valueFrom":{"secretKeyRef":
                                              {"name":"kiln-build-b-42-context","key":"token"}}})"));
  const Json secret = context_secret("b-42", token);
  EXPECT_EQ(secret["metadata"]["name"], "kiln-build-b-42-context");
  EXPECT_EQ(secret["stringData"]["token"], token);
  EXPECT_EQ(p.dump().find(token), std::string::npos);
  // No command line in the spec carries a credential: the script reads its environment.
  EXPECT_EQ(fetch["command"][2], fetch_context_script());
  EXPECT_NE(fetch_context_script().find("$TOKEN"), std::string::npos);
}

}  // namespace
}  // namespace kiln::server
