// Every Kubernetes manifest in the repository (YAML files, and yaml blocks of Markdown files
// that hold an apiVersion and a kind) deserializes strictly into the official client's models;
// kaniko-pod.yaml says what it claims, field by field: the build pod admitted by Pod
// Security "baseline" and breaking "restricted" only where Kaniko must run as root, the verify
// namespace enforcing "restricted" (which kiln-verify's check pod passes), and the RBAC of the
// kubernetes driver exactly as its README states it.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "core/process.h"
#include "core/temp_dir.h"
#include "tests/support/files.h"
#include "tests/support/pod_security.h"
#include "tests/support/yaml_json.h"
#include "verify/driver/kubernetes/check_pod.h"

namespace kiln::ship {
namespace {
using kiln::testing::read_file;

namespace fs = std::filesystem;
using kiln::testing::PodSecurityLevel;
using oci::Json;

const fs::path source_dir = KILN_SOURCE_DIR;


bool is_kubernetes_object(const Json& doc) { return doc.is_object() && doc.contains("apiVersion") && doc.contains("kind"); }

/// The ```yaml blocks of a Markdown text.
std::vector<std::string> yaml_blocks(const std::string& markdown) {
  std::vector<std::string> out;
  std::istringstream lines(markdown);
  bool in_block = false;
  for (std::string line; std::getline(lines, line);) {
    if (!in_block && line.starts_with("```yaml")) {
      in_block = true;
      out.emplace_back();
    } else if (in_block && line.starts_with("```")) {
      in_block = false;
    } else if (in_block) {
      out.back() += line + "\n";
    }
  }
  return out;
}

struct Manifest {
  std::string origin;  ///< "kaniko-pod.yaml", "verify/driver/kubernetes/README.md block 1"
  std::string text;
};

/// Every file or Markdown block of the source tree (build trees and .git aside) that holds a
/// Kubernetes object.
std::vector<Manifest> repository_manifests() {
  std::vector<Manifest> out;
  for (auto it = fs::recursive_directory_iterator(source_dir); it != fs::recursive_directory_iterator(); ++it) {
    const std::string name = it->path().filename().string();
    if (it->is_directory() && (name.starts_with("build") || name == ".git")) {
      it.disable_recursion_pending();
      continue;
    }
    if (!it->is_regular_file()) continue;
    const std::string origin = fs::relative(it->path(), source_dir).string();
    const std::string ext = it->path().extension().string();
    std::vector<std::pair<std::string, std::string>> candidates;  // origin, text
    if (ext == ".yaml" || ext == ".yml") candidates.emplace_back(origin, read_file(it->path()));
    if (ext == ".md") {
      int n = 0;
      for (const auto& block : yaml_blocks(read_file(it->path()))) candidates.emplace_back(origin + " block " + std::to_string(++n), block);
    }
    for (auto& [where, text] : candidates) {
      std::vector<Json> docs;
      try {
        docs = kiln::testing::parse_yaml_documents(text);
      } catch (const std::exception& e) {
        if (ext != ".md") ADD_FAILURE() << where << ": not YAML: " << e.what();
        continue;
      }
      if (std::any_of(docs.begin(), docs.end(), is_kubernetes_object)) out.push_back({where, text});
    }
  }
  return out;
}

/// Runs tests/support/strict_manifest_check.py on `text`; exit code and output.
ProcessResult strict_check(const std::string& text) {
  TempDir dir("kiln-manifest");
  const fs::path file = dir.path() / "manifest.yaml";
  std::ofstream(file) << text;
  return run_process({"/usr/bin/python3", KILN_SOURCE_DIR "/tests/support/strict_manifest_check.py", file.string()});
}

std::vector<Json> kaniko_pod_documents() { return kiln::testing::load_yaml_documents(source_dir / "kaniko-pod.yaml"); }

const Json& find(const std::vector<Json>& docs, const std::string& kind, const std::string& name) {
  for (const Json& doc : docs)
    if (doc["kind"] == kind && doc["metadata"]["name"] == name) return doc;
  throw std::runtime_error("kaniko-pod.yaml has no " + kind + " " + name);
}

TEST(Manifests, EveryOneInTheRepositoryDeserializesStrictly) {
  const auto manifests = repository_manifests();
  std::set<std::string> origins;
  for (const auto& m : manifests) origins.insert(m.origin);
  EXPECT_TRUE(origins.count("kaniko-pod.yaml"));
  EXPECT_TRUE(origins.count("verify/driver/kubernetes/README.md block 1")) << "the README's RBAC";
  for (const auto& m : manifests) {
    const ProcessResult r = strict_check(m.text);
    EXPECT_EQ(r.exit_code, 0) << m.origin << ":\n" << r.out << r.err;
  }
}

TEST(Manifests, TheStrictCheckKnowsEveryKindAndCatchesWhatTheClientWouldDrop) {
  const ProcessResult r = strict_check(
      "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: b}\n"
      "roleRefs: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: r}\n"
      "---\napiVersion: v1\nkind: Namespace\nmetadata: {name: n, labelz: {a: b}}\n"
      "---\napiVersion: v1\nkind: Nothing\nmetadata: {name: x}\n");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("rolebinding/b.roleRefs: unknown field of V1RoleBinding"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("rolebinding/b: the client cannot deserialize it into V1RoleBinding"), std::string::npos) << r.out;  // roleRef is required
  EXPECT_NE(r.out.find("namespace/n.metadata.labelz: unknown field of V1ObjectMeta"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("nothing/x: the client has no model V1Nothing for v1 Nothing"), std::string::npos) << r.out;
}

TEST(Manifests, TheVerifyNamespaceEnforcesRestrictedAndTheCheckPodPassesIt) {
  const auto docs = kaniko_pod_documents();
  const Json& role = find(docs, "Role", "kiln-verify");
  const std::string verify_namespace = role["metadata"]["namespace"];
  const Json& labels = find(docs, "Namespace", verify_namespace)["metadata"]["labels"];
  EXPECT_EQ(labels["pod-security.kubernetes.io/enforce"], "restricted");
  EXPECT_EQ(labels["pod-security.kubernetes.io/enforce-version"], "latest");

  // The pod kiln-verify's kubernetes driver creates there, for the users it may run as.
  for (const std::string user : {"1000:1000", "", "nonroot"}) {
    const Json pod = verify::kubernetes::check_pod(
        {.verify_image = "registry.example.com/kiln/kiln-verify@sha256:" + std::string(64, 'b'),
         .image = "registry.example.com/team/app@sha256:" + std::string(64, 'a'),
         .platform = oci::Platform::parse("linux/amd64"),
         .image_user = user,
         .run_id = "run-1",
         .active_deadline_seconds = 300,
         .image_pull_secrets = {"regcred"},
         .request = {.paths = {{.path = "/usr/local/app/main", .elf = true}}}});
    const auto violations = kiln::testing::pod_security_violations(pod, PodSecurityLevel::restricted);
    EXPECT_TRUE(violations.empty()) << "USER '" << user << "':\n" << kiln::testing::describe(violations);
  }
}

TEST(Manifests, TheBuildPodIsAsUnprivilegedAsKanikoAllows) {
  const auto docs = kaniko_pod_documents();
  const Json& pod = find(docs, "Pod", "kiln-build");
  const std::string ns = pod["metadata"]["namespace"];
  EXPECT_EQ(ns, "imgbuild");
  EXPECT_EQ(find(docs, "Namespace", ns)["metadata"]["labels"]["pod-security.kubernetes.io/enforce"], "baseline");

  // Admitted by "baseline"; of "restricted", it breaks exactly the rules a root executor must.
  const auto baseline = kiln::testing::pod_security_violations(pod, PodSecurityLevel::baseline);
  EXPECT_TRUE(baseline.empty()) << kiln::testing::describe(baseline);
  EXPECT_EQ(kiln::testing::violated_rules(pod, PodSecurityLevel::restricted),
            (std::vector<std::string>{"capabilities", "runAsNonRoot", "runAsUser"}));

  const Json& spec = pod["spec"];
  EXPECT_EQ(spec["automountServiceAccountToken"], false);
  EXPECT_EQ(spec["restartPolicy"], "Never");
  EXPECT_EQ(spec["securityContext"]["seccompProfile"]["type"], "RuntimeDefault");
  EXPECT_FALSE(spec.contains("hostNetwork") || spec.contains("hostPID") || spec.contains("hostIPC"));
  ASSERT_EQ(spec["containers"].size(), 1u);
  const Json& kiln = spec["containers"][0];
  EXPECT_TRUE(kiln["image"].get<std::string>().find("kiln-plugin:") != std::string::npos) << kiln["image"];
  const Json& sc = kiln["securityContext"];
  EXPECT_EQ(sc["allowPrivilegeEscalation"], false);
  EXPECT_EQ(sc["privileged"], false);
  EXPECT_EQ(sc["capabilities"]["drop"], Json::array({"ALL"}));
  // Only file-ownership and user-switching capabilities, each one documented in the manifest.
  const std::set<std::string> allowed = {"CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "SETUID", "SETGID", "SETFCAP"};
  const std::string text = read_file(source_dir / "kaniko-pod.yaml");
  for (const auto& cap : sc["capabilities"]["add"]) {
    EXPECT_TRUE(allowed.count(cap.get<std::string>())) << cap;
    EXPECT_NE(text.find("#   " + cap.get<std::string>()), std::string::npos) << cap << " is added without a reason";
  }
  for (const char* kind : {"requests", "limits"})
    for (const char* resource : {"cpu", "memory"}) EXPECT_TRUE(kiln["resources"][kind].contains(resource)) << kind << " " << resource;

  // The workspace is mounted, the registry credential comes from a Secret, settings are PLUGIN_*.
  EXPECT_EQ(kiln["volumeMounts"], Json::parse(R"([{"name":"workspace","mountPath":"/workspace"}])"));
  EXPECT_EQ(spec["volumes"][0]["name"], "workspace");
  bool secret = false;
  for (const auto& env : kiln["env"]) {
    EXPECT_TRUE(env["name"].get<std::string>().starts_with("PLUGIN_")) << env["name"];
    if (env.contains("valueFrom")) secret = secret || env["valueFrom"]["secretKeyRef"]["name"] == "regcred";
  }
  EXPECT_TRUE(secret) << "no PLUGIN_* setting reads the regcred Secret";
}

TEST(Manifests, TheVerifyRbacIsTheOneTheKubernetesDriverDocuments) {
  const auto docs = kaniko_pod_documents();
  const Json& role = find(docs, "Role", "kiln-verify");
  const auto readme = kiln::testing::parse_yaml_documents(
      yaml_blocks(read_file(source_dir / "verify/driver/kubernetes/README.md")).at(0));
  ASSERT_EQ(readme.at(0)["kind"], "Role");
  EXPECT_EQ(role["rules"], readme.at(0)["rules"]);

  const Json& binding = find(docs, "RoleBinding", "kiln-verify");
  EXPECT_EQ(binding["metadata"]["namespace"], role["metadata"]["namespace"]);
  EXPECT_EQ(binding["roleRef"], (Json{{"apiGroup", "rbac.authorization.k8s.io"}, {"kind", "Role"}, {"name", "kiln-verify"}}));
  ASSERT_EQ(binding["subjects"].size(), 1u);
  const Json& subject = binding["subjects"][0];
  EXPECT_EQ(subject["kind"], "ServiceAccount");
  const Json& account = find(docs, "ServiceAccount", subject["name"].get<std::string>());
  EXPECT_EQ(account["metadata"]["namespace"], subject["namespace"]);
}

}  // namespace
}  // namespace kiln::ship
