// The check pod manifest: Pod Security "restricted" field by field,
// the probe wiring, and strict deserialization into the official client's V1Pod.
#include "verify/driver/kubernetes/check_pod.h"

#include <gtest/gtest.h>

#include <fstream>

#include "core/process.h"
#include "core/temp_dir.h"
#include "inspect/base64.h"
#include "tests/support/pod_security.h"

namespace kiln::verify::kubernetes {
namespace {

CheckPodOptions options(const std::string& user = "1000:1000") {
  return {.verify_image = "kiln/verify@sha256:" + std::string(64, 'b'),
          .image = "127.0.0.1:5000/app@sha256:" + std::string(64, 'a'),
          .platform = oci::Platform::parse("linux/arm64"),
          .image_user = user,
          .run_id = "run-42",
          .active_deadline_seconds = 120,
          .image_pull_secrets = {"regcred"},
          .request = {.paths = {{.path = "/usr/local/app/main", .sha256 = true, .elf = true}}}};
}

/// Runs the strict checker on `pod`; returns its exit code and output.
ProcessResult strict_check(const oci::Json& pod) {
  TempDir dir("kiln-pod");
  const auto file = dir.path() / "pod.json";
  std::ofstream(file) << pod.dump(2);
  return run_process({"/usr/bin/python3", KILN_SOURCE_DIR "/tests/support/strict_manifest_check.py",
                      file.string()});
}

// Pod Security "restricted", every rule as the admission plugin checks it (the shared
// tests/support/pod_security.h), plus our additions: no service account token, no service
// links, only emptyDir volumes, read-only roots, explicit resources, logs as the termination message.
void expect_restricted(const oci::Json& pod) {
  const auto violations = kiln::testing::pod_security_violations(pod, kiln::testing::PodSecurityLevel::restricted);
  EXPECT_TRUE(violations.empty()) << kiln::testing::describe(violations);
  const auto& spec = pod["spec"];
  EXPECT_EQ(spec["automountServiceAccountToken"], false);
  EXPECT_EQ(spec["enableServiceLinks"], false);
  const auto& pod_sc = spec["securityContext"];
  EXPECT_EQ(pod_sc["runAsNonRoot"], true);  // on the pod itself, not left to each container
  EXPECT_EQ(pod_sc["seccompProfile"]["type"], "RuntimeDefault");
  for (const auto& volume : spec["volumes"]) {
    EXPECT_TRUE(volume.contains("emptyDir")) << volume.dump();
    EXPECT_EQ(volume.size(), 2u) << volume.dump();
  }
  for (const char* list : {"initContainers", "containers"}) {
    for (const auto& container : spec[list]) {
      const std::string name = container["name"];
      const auto& sc = container["securityContext"];
      EXPECT_EQ(sc["privileged"], false) << name;  // said explicitly, not merely left out
      EXPECT_EQ(sc["readOnlyRootFilesystem"], true) << name;
      EXPECT_EQ(sc["capabilities"]["drop"], oci::Json::array({"ALL"})) << name;
      EXPECT_FALSE(sc["capabilities"].contains("add")) << name;
      EXPECT_FALSE(container.contains("ports")) << name;
      EXPECT_TRUE(container["resources"].contains("requests")) << name;
      EXPECT_TRUE(container["resources"].contains("limits")) << name;
      EXPECT_EQ(container["terminationMessagePolicy"], "FallbackToLogsOnError") << name;
    }
  }
}

// The shared rules see what a careless edit of the pod would break.
TEST(CheckPod, ThePodSecurityRulesCatchEachBreach) {
  using kiln::testing::PodSecurityLevel;
  using kiln::testing::violated_rules;
  const oci::Json good = check_pod(options());
  auto broken = [&](auto edit) {
    oci::Json pod = good;
    edit(pod);
    return violated_rules(pod, PodSecurityLevel::restricted);
  };
  using Rules = std::vector<std::string>;
  EXPECT_EQ(broken([](oci::Json& p) { p["spec"]["securityContext"]["runAsUser"] = 0; }), Rules{"runAsUser"});
  EXPECT_EQ(broken([](oci::Json& p) { p["spec"]["securityContext"].erase("runAsNonRoot"); }), Rules{"runAsNonRoot"});
  EXPECT_EQ(broken([](oci::Json& p) { p["spec"]["securityContext"].erase("seccompProfile"); }), Rules{"seccomp"});
  EXPECT_EQ(broken([](oci::Json& p) { p["spec"]["hostPID"] = true; }), Rules{"hostNamespaces"});
  EXPECT_EQ(broken([](oci::Json& p) { p["spec"]["containers"][0]["securityContext"]["allowPrivilegeEscalation"] = true; }),
            Rules{"allowPrivilegeEscalation"});
  EXPECT_EQ(broken([](oci::Json& p) { p["spec"]["containers"][0]["securityContext"]["capabilities"]["add"] = {"NET_RAW"}; }),
            Rules{"capabilities"});
  EXPECT_EQ(broken([](oci::Json& p) { p["spec"]["containers"][0]["securityContext"]["privileged"] = true; }),
            Rules{"privileged"});
  EXPECT_EQ(broken([](oci::Json& p) { p["spec"]["volumes"][0] = {{"name", "probe"}, {"hostPath", {{"path", "/"}}}}; }),
            (Rules{"hostPath", "volumeTypes"}));
  EXPECT_EQ(broken([](oci::Json& p) { p["spec"]["initContainers"][0]["securityContext"]["seccompProfile"] = {{"type", "Unconfined"}}; }),
            Rules{"seccomp"});
}

TEST(CheckPod, MeetsPodSecurityRestricted) {
  for (const std::string user : {"1000:1000", "1000", "", "0", "root", "nonroot", "1000:staff"}) {
    SCOPED_TRACE("USER '" + user + "'");
    expect_restricted(check_pod(options(user)));
  }
}

TEST(CheckPod, RunsTheImageByDigestWithTheProbeFromTheInitContainer) {
  const oci::Json pod = check_pod(options());
  EXPECT_EQ(pod["apiVersion"], "v1");
  EXPECT_EQ(pod["kind"], "Pod");
  EXPECT_EQ(pod["metadata"]["generateName"], "kiln-verify-");
  EXPECT_EQ(pod["metadata"]["labels"]["app.kubernetes.io/managed-by"], "kiln-verify");
  EXPECT_EQ(pod["metadata"]["labels"]["kiln.dev/verify-run"], "run-42");
  const auto& spec = pod["spec"];
  EXPECT_EQ(spec["restartPolicy"], "Never");
  EXPECT_EQ(spec["activeDeadlineSeconds"], 120);
  EXPECT_EQ(spec["terminationGracePeriodSeconds"], 0);
  EXPECT_EQ(spec["nodeSelector"], (oci::Json{{"kubernetes.io/os", "linux"}, {"kubernetes.io/arch", "arm64"}}));
  EXPECT_EQ(spec["imagePullSecrets"], (oci::Json::array({{{"name", "regcred"}}})));
  EXPECT_EQ(spec["volumes"], oci::Json::parse(R"([{"name":"probe","emptyDir":{"sizeLimit":"64Mi"}}])"));

  ASSERT_EQ(spec["initContainers"].size(), 1u);
  const auto& install = spec["initContainers"][0];
  EXPECT_EQ(install["name"], "install-probe");
  EXPECT_EQ(install["image"], "kiln/verify@sha256:" + std::string(64, 'b'));
  EXPECT_EQ(install["command"], oci::Json::parse(R"(["/kiln-probe","install","/kiln"])"));
  EXPECT_EQ(install["volumeMounts"], oci::Json::parse(R"([{"name":"probe","mountPath":"/kiln"}])"));

  ASSERT_EQ(spec["containers"].size(), 1u);
  const auto& check = spec["containers"][0];
  EXPECT_EQ(check["name"], "check");
  EXPECT_EQ(check["image"], "127.0.0.1:5000/app@sha256:" + std::string(64, 'a'));
  EXPECT_EQ(check["command"], oci::Json::parse(R"(["/kiln/kiln-probe","check"])"));
  EXPECT_EQ(check["volumeMounts"], oci::Json::parse(R"([{"name":"probe","mountPath":"/kiln","readOnly":true}])"));
  ASSERT_EQ(check["env"].size(), 1u);
  EXPECT_EQ(check["env"][0]["name"], "KILN_PROBE_REQUEST");
  const std::string request_json = inspect::base64_decode(check["env"][0]["value"].get<std::string>(), "env");
  EXPECT_EQ(inspect::fact_request_from_json(nlohmann::json::parse(request_json)), options().request);
  EXPECT_EQ(check["resources"], oci::Json::parse(
                                    R"({"requests":{"cpu":"50m","memory":"64Mi"},"limits":{"cpu":"1","memory":"512Mi"}})"));
}

TEST(CheckPod, NoPullSecretsMeansNoField) {
  auto o = options();
  o.image_pull_secrets.clear();
  EXPECT_FALSE(check_pod(o)["spec"].contains("imagePullSecrets"));
}

TEST(CheckPodUser, KeepsTheImagesNumericUserAndSaysWhenItCannot) {
  struct Row {
    std::string image_user;
    std::int64_t uid;
    std::optional<std::int64_t> gid;
    bool differs;
  };
  for (const Row& row : std::vector<Row>{{"1000:1000", 1000, 1000, false},
                                         {"1000:0", 1000, 0, false},
                                         {"1000", 1000, std::nullopt, false},  // the runtime picks the image's group
                                         {"", 65532, 65532, true},             // root by default
                                         {"0", 65532, 65532, true},
                                         {"0:0", 65532, 65532, true},
                                         {"root", 65532, 65532, true},
                                         {"nonroot", 65532, 65532, true},
                                         {"1000:staff", 1000, 65532, true}}) {
    SCOPED_TRACE("USER '" + row.image_user + "'");
    const CheckPodUser user = check_pod_user(row.image_user);
    EXPECT_EQ(user.uid, row.uid);
    EXPECT_EQ(user.gid, row.gid);
    EXPECT_EQ(!user.note.empty(), row.differs) << user.note;
    const oci::Json pod = check_pod(options(row.image_user));
    EXPECT_EQ(pod["spec"]["securityContext"]["runAsUser"], row.uid);
    EXPECT_EQ(pod["spec"]["securityContext"].contains("runAsGroup"), row.gid.has_value());
    EXPECT_EQ(pod["metadata"].contains("annotations"), row.differs);
  }
  EXPECT_EQ(check_pod_user("nonroot").note,
            "the image's USER 'nonroot' is not numeric, so the kubelet could not prove it non-root; the check ran as "
            "65532:65532 instead");
  EXPECT_EQ(check_pod_user("").note,
            "the image runs as root (USER ''), which Pod Security \"restricted\" forbids; the check ran as 65532:65532 "
            "instead");
}

TEST(CheckPod, DeserializesStrictlyIntoTheOfficialClientsV1Pod) {
  for (const std::string user : {"1000:1000", "1000", "nonroot"}) {
    const auto result = strict_check(check_pod(options(user)));
    EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  }
}

TEST(CheckPod, TheStrictCheckerCatchesWhatTheClientWouldIgnore) {
  oci::Json pod = check_pod(options());
  pod["spec"]["containers"][0]["securityContext"]["runAsNonRoots"] = true;  // a typo the client drops
  pod["spec"]["activeDeadlineSeconds"] = "120";
  const auto result = strict_check(pod);
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.out.find("pod.spec.containers[0].securityContext.runAsNonRoots: unknown field of V1SecurityContext"),
            std::string::npos)
      << result.out;
  EXPECT_NE(result.out.find("pod.spec.activeDeadlineSeconds: expected int"), std::string::npos) << result.out;
}

// containerRunOptions as "restricted" allows them: a numeric non-root user, NET_BIND_SERVICE, a
// writable root for setup; the pod still meets the profile and the official client's model.
TEST(CheckPod, MapsTheRunOptionsRestrictedAllows) {
  CheckPodOptions with = options("nonroot");
  with.container = {.user = "1234:5678", .capabilities = std::vector<std::string>{"CAP_NET_BIND_SERVICE"},
                    .writable_root = true, .origin = "cst.yaml:9: containerRunOptions"};
  ASSERT_FALSE(restricted_refusal(with.container));
  const oci::Json pod = check_pod(with);
  // The profile itself; kiln's own additions (read-only roots, no added capability) give way
  // where the spec asks.
  const auto violations = kiln::testing::pod_security_violations(pod, kiln::testing::PodSecurityLevel::restricted);
  EXPECT_TRUE(violations.empty()) << kiln::testing::describe(violations);
  EXPECT_EQ(pod["spec"]["securityContext"]["runAsUser"], 1234);
  EXPECT_EQ(pod["spec"]["securityContext"]["runAsGroup"], 5678);
  const oci::Json& check = pod["spec"]["containers"][0]["securityContext"];
  EXPECT_EQ(check["capabilities"]["add"], oci::Json::array({"NET_BIND_SERVICE"}));
  EXPECT_EQ(check["capabilities"]["drop"], oci::Json::array({"ALL"}));
  EXPECT_EQ(check["readOnlyRootFilesystem"], false);
  // The install container keeps its read-only root and no capabilities.
  EXPECT_EQ(pod["spec"]["initContainers"][0]["securityContext"]["readOnlyRootFilesystem"], true);
  EXPECT_FALSE(pod["spec"]["initContainers"][0]["securityContext"]["capabilities"].contains("add"));
  const auto result = strict_check(pod);
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
}

TEST(CheckPod, RefusesWhatRestrictedForbidsNamingTheOptionAndDriver) {
  const std::string origin = "cst.yaml:9: containerRunOptions";
  auto refusal = [&](CommandContainer container) {
    container.origin = origin;
    return restricted_refusal(container).value_or("");
  };
  EXPECT_EQ(refusal({.privileged = true}),
            origin + ".privileged cannot be honoured by the kubernetes driver: Pod Security \"restricted\" forbids "
                     "privileged containers; use --driver local for this spec");
  EXPECT_EQ(refusal({.user = "root"}),
            origin + ".user cannot be honoured by the kubernetes driver: 'root' is not numeric, and the kubelet runs "
                     "only users it can prove non-root under Pod Security \"restricted\"; use --driver local for this spec");
  EXPECT_EQ(refusal({.user = "0:0"}),
            origin + ".user cannot be honoured by the kubernetes driver: root is forbidden by Pod Security "
                     "\"restricted\" (runAsNonRoot); use --driver local for this spec");
  EXPECT_EQ(refusal({.capabilities = std::vector<std::string>{"CAP_SYS_ADMIN"}}),
            origin + ".capabilities cannot be honoured by the kubernetes driver: CAP_SYS_ADMIN is not allowed by Pod "
                     "Security \"restricted\", which allows adding only NET_BIND_SERVICE; use --driver local for this spec");
  EXPECT_EQ(refusal({.bind_mounts = {{.host = "/tmp/test", .container = "/tmp/test"}}}),
            origin + ".bindMounts cannot be honoured by the kubernetes driver: a host path volume is forbidden by Pod "
                     "Security \"restricted\", and the cluster's nodes are not this machine; use --driver local for "
                     "this spec");
}

}  // namespace
}  // namespace kiln::verify::kubernetes
