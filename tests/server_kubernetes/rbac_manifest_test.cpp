// deploy/kiln-server-rbac.yaml: valid for the official client's models (V1ServiceAccount,
// V1Role, V1RoleBinding), and granting exactly the calls the engine makes — checked against
// what the engine sent to the stand-in API server during a build.
#include <gtest/gtest.h>

#include <set>

#include "core/temp_dir.h"
#include "server/engine/kubernetes/kubernetes_engine.h"
#include "tests/server_kubernetes/build_pod_fixtures.h"
#include "tests/server_kubernetes/strict_check.h"
#include "tests/support/stand_in_kubernetes_api.h"
#include "tests/support/yaml_json.h"

namespace kiln::server {
namespace {

using oci::Json;
using namespace kiln::server::testing;

const std::string manifest = KILN_SOURCE_DIR "/deploy/kiln-server-rbac.yaml";

TEST(ServerRbac, DeserializesStrictly) {
  const ProcessResult r = strict_check_file(manifest);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  std::set<std::string> kinds;
  for (const Json& doc : kiln::testing::load_yaml_documents(manifest)) kinds.insert(doc["kind"].get<std::string>());
  EXPECT_EQ(kinds, (std::set<std::string>{"ServiceAccount", "Role", "RoleBinding"}));
}

// "resource verb" pairs the Role grants.
std::set<std::string> granted() {
  std::set<std::string> out;
  for (const Json& doc : kiln::testing::load_yaml_documents(manifest)) {
    if (doc["kind"] != "Role") continue;
    for (const Json& rule : doc["rules"]) {
      EXPECT_EQ(rule["apiGroups"], Json::array({""}));
      for (const Json& resource : rule["resources"])
        for (const Json& verb : rule["verbs"]) out.insert(resource.get<std::string>() + " " + verb.get<std::string>());
    }
  }
  return out;
}

// The RBAC verb of one request to /api/v1/namespaces/{ns}/{resource}[/{name}[/{sub}]].
std::string needed(const kiln::testing::RecordedRequest& request) {
  const std::string path = request.uri.substr(0, request.uri.find('?'));
  std::vector<std::string> parts;
  for (std::size_t at = 0; at < path.size();) {
    const auto next = path.find('/', at + 1);
    parts.push_back(path.substr(at + 1, next == std::string::npos ? std::string::npos : next - at - 1));
    at = next == std::string::npos ? path.size() : next;
  }
  std::string resource = parts.at(4);
  if (parts.size() == 7) resource += "/" + parts[6];
  const bool named = parts.size() >= 6;
  std::string verb = request.method == "POST" ? "create" : request.method == "DELETE" ? "delete" : named ? "get" : "list";
  if (request.uri.find("watch=1") != std::string::npos) verb = "watch";
  return resource + " " + verb;
}

TEST(ServerRbac, GrantsEveryCallTheEngineMakes) {
  const std::string token = "sa-token-Rb4cT3st";
  for (bool fails : {false, true}) {
    kiln::testing::ScriptedPod pod;
    pod.statuses = {pending(), executor_running(),
                    fails ? executor_ended("Failed", terminated(1, "Error"))
                          : executor_ended("Succeeded", terminated(0, "Completed", "sha256:" + std::string(64, 'a')))};
    pod.logs = {{"executor", "INFO building\n"}};
    kiln::testing::StandInKubernetesApi api(pod, token);
    TempDir dir("kiln-rbac");
    KubernetesEngineConfig config;
    config.kubeconfig = write_kubeconfig(dir.path(), api.server(), token).string();
    config.executor_image = "kaniko@sha256:" + std::string(64, 'e');
    config.watch_timeout = std::chrono::seconds(1);
    std::atomic<bool> cancel{false};
    const BuildResult result = make_kubernetes_engine(config)->run(
        {.id = "b1", .settings = {{"repo", "r.example.com/a"}}, .context_dir = "/x",
         .context_url = "http://kiln/ctx", .context_token = "ctx-token-1234"},
        [](std::string_view) {}, cancel);
    EXPECT_EQ(result.state, fails ? BuildResult::State::failed : BuildResult::State::succeeded) << result.message;
    const std::set<std::string> grants = granted();
    std::set<std::string> used;
    for (const auto& request : api.requests()) used.insert(needed(request));
    for (const std::string& call : used) EXPECT_TRUE(grants.count(call)) << call << " is not granted";
    EXPECT_TRUE(used.count("secrets create") && used.count("pods watch") && used.count("pods/log get"));
  }
  // Events are listed to explain failed pods (ImagePullBackOff, ...): granted too.
  EXPECT_TRUE(granted().count("events list"));
}

}  // namespace
}  // namespace kiln::server
