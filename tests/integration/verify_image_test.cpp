// kiln-verify end to end, as a CI step runs it: images built by kiln-plugin and by buildah are
// pushed to a real docker-registry, then judged by the built-in application suite and by
// container-structure-test specs, in the static driver (layers read) and the local driver
// (kiln-probe under runc). Every JUnit file is validated against both XSDs with xmllint.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "core/temp_dir.h"
#include "oci/credentials/credential.h"
#include "oci/registry/client.h"
#include "tests/support/busybox_image.h"
#include "oci/json.h"
#include "tests/support/local_registry.h"
#include "tests/support/stand_in_kubernetes_api.h"
#include "tests/support/tools.h"
#include "tests/support/verify_images.h"

namespace kiln::testing {
namespace {

namespace fs = std::filesystem;
using oci::Json;

struct Verdict {
  int exit_code = -1;
  std::map<std::string, std::string> status;   ///< test name → passed/failed/error/skipped
  std::map<std::string, std::string> message;  ///< test name → message
  std::string out, err;
};

class VerifyImage : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    registry_ = new LocalRegistry();
    work_ = new TempDir("kiln-verify-images");
    images_ = new VerifyImages(push_verify_images(registry_->host(), work_->path()));
  }
  static void TearDownTestSuite() {
    delete images_;
    delete work_;
    delete registry_;
  }

  // Runs kiln-verify with PLUGIN_* settings; validates the JUnit it wrote; reads the JSON.
  Verdict verify(const std::string& image, const std::string& driver, std::map<std::string, std::string> env = {},
                 const std::vector<std::string>& args = {}) {
    const fs::path junit = work_->path() / ("junit-" + std::to_string(++runs_) + ".xml");
    const fs::path json = work_->path() / ("report-" + std::to_string(runs_) + ".json");
    if (!image.empty()) env["PLUGIN_IMAGE"] = image;
    env["PLUGIN_DRIVER"] = driver;
    env["PLUGIN_INSECURE"] = "true";
    env["PLUGIN_JUNIT"] = junit.string();
    env["PLUGIN_JSON"] = json.string();
    std::vector<std::string> argv{KILN_VERIFY_BINARY};
    argv.insert(argv.end(), args.begin(), args.end());
    ProcessOptions options;
    options.extra_env = env;
    options.timeout = std::chrono::seconds(120);
    const ProcessResult r = run_process(argv, options);
    Verdict v{.exit_code = r.exit_code, .out = r.out, .err = r.err};
    EXPECT_TRUE(fs::exists(junit)) << "no JUnit report\n" << r.err;
    for (const char* xsd : {"junit-10.xsd", "JUnit-ant-strict.xsd"})
      EXPECT_EQ(run_process({"xmllint", "--noout", "--schema", std::string(KILN_JUNIT_SCHEMAS) + "/" + xsd, junit.string()}).exit_code, 0)
          << junit << " does not validate against " << xsd;
    if (fs::exists(json)) {
      std::ifstream in(json);
      const Json doc = Json::parse(in);
      for (const auto& suite : doc.at("suites"))
        for (const auto& test : suite.at("tests")) {
          v.status[test.at("name").get<std::string>()] = test.at("status").get<std::string>();
          v.message[test.at("name").get<std::string>()] = test.value("message", "");
        }
    }
    return v;
  }

  static LocalRegistry* registry_;
  static TempDir* work_;
  static VerifyImages* images_;
  static int runs_;
};

LocalRegistry* VerifyImage::registry_ = nullptr;
TempDir* VerifyImage::work_ = nullptr;
VerifyImages* VerifyImage::images_ = nullptr;
int VerifyImage::runs_ = 0;

const char* const kDrivers[] = {"static", "local"};

TEST_F(VerifyImage, AGoodImagePassesTheAppSuiteInEveryDriver) {
  for (const char* driver : kDrivers) {
    Verdict v = verify(images_->good, driver, {{"PLUGIN_BINARY", hello_static_binary().string()}});
    EXPECT_EQ(v.exit_code, 0) << driver << "\n" << v.out << v.err;
    EXPECT_EQ(v.status["binary exists"], "passed") << driver;
    EXPECT_EQ(v.status["binary matches the image architecture"], "passed") << driver;
    EXPECT_EQ(v.status["binary is loadable"], "passed") << driver;
    EXPECT_EQ(v.status["binary SHA-256 matches"], "passed") << driver;
    EXPECT_EQ(v.status["config runs the binary"], "passed") << driver;
  }
}

TEST_F(VerifyImage, AMissingBinaryFailsInEveryDriver) {
  for (const char* driver : kDrivers) {
    Verdict v = verify(images_->missing_binary, driver);
    EXPECT_EQ(v.exit_code, 1) << driver << "\n" << v.out << v.err;
    EXPECT_EQ(v.status["binary exists"], "failed") << driver;
    EXPECT_EQ(v.status["config runs the binary"], "passed") << driver;
  }
}

TEST_F(VerifyImage, ANonExecutableBinaryFailsOnlyTheExecutableTest) {
  for (const char* driver : kDrivers) {
    Verdict v = verify(images_->not_executable, driver);
    EXPECT_EQ(v.exit_code, 1) << driver << "\n" << v.out << v.err;
    EXPECT_EQ(v.status["binary exists"], "passed") << driver;
    EXPECT_EQ(v.status["binary is executable"], "failed") << driver;
  }
}

TEST_F(VerifyImage, ABinaryOfAnotherArchitectureFails) {
  for (const char* driver : kDrivers) {
    Verdict v = verify(images_->wrong_architecture, driver);
    EXPECT_EQ(v.exit_code, 1) << driver << "\n" << v.out << v.err;
    EXPECT_EQ(v.status["binary is executable"], "passed") << driver;
    EXPECT_EQ(v.status["binary matches the image architecture"], "failed") << driver;
    EXPECT_NE(v.message["binary matches the image architecture"].find("arm64"), std::string::npos) << driver;
  }
}

TEST_F(VerifyImage, ADynamicBinaryWithItsLibrariesIsLoadableAndRuns) {
  for (const char* driver : kDrivers) {
    Verdict v = verify(images_->dynamic_good, driver, {{"PLUGIN_VERSION_ARGS", "--version"}});
    EXPECT_EQ(v.status["binary is loadable"], "passed") << driver << "\n" << v.out << v.err;
    if (std::string(driver) == "static") {
      EXPECT_EQ(v.status["binary runs"], "skipped") << driver;
      EXPECT_EQ(v.exit_code, 0) << driver;
    } else {
      EXPECT_EQ(v.status["binary runs"], "passed") << driver << "\n" << v.out << v.err;
      EXPECT_EQ(v.exit_code, 0) << driver;
    }
  }
}

TEST_F(VerifyImage, ADynamicBinaryMissingALibraryIsNotLoadable) {
  for (const char* driver : kDrivers) {
    Verdict v = verify(images_->dynamic_missing_lib, driver);
    EXPECT_EQ(v.exit_code, 1) << driver << "\n" << v.out << v.err;
    EXPECT_EQ(v.status["binary is loadable"], "failed") << driver;
    EXPECT_NE(v.message["binary is loadable"].find("libm.so.6"), std::string::npos) << v.message["binary is loadable"];
  }
}

TEST_F(VerifyImage, AFileDeletedByAWhiteoutIsGone) {
  for (const char* driver : kDrivers) {
    Verdict v = verify(images_->whiteout_deleted, driver);
    EXPECT_EQ(v.exit_code, 1) << driver << "\n" << v.out << v.err;
    EXPECT_EQ(v.status["binary exists"], "failed") << driver;
  }
}

TEST_F(VerifyImage, AnOpaqueDirectoryHidesWhatWasBelowIt) {
  const fs::path spec = work_->path() / "opaque.yaml";
  std::ofstream(spec) << "schemaVersion: \"2.0.0\"\n"
                         "fileExistenceTests:\n"
                         "  - name: notes are there\n    path: /usr/local/app/notes.txt\n"
                         "  - name: main is hidden\n    path: /usr/local/app/main\n    shouldExist: false\n"
                         "fileContentTests:\n"
                         "  - name: notes say so\n    path: /usr/local/app/notes.txt\n    expectedContents: ['no binary']\n";
  for (const char* driver : kDrivers) {
    Verdict v = verify(images_->opaque_directory, driver, {{"PLUGIN_CONFIG", spec.string()}});
    EXPECT_EQ(v.exit_code, 0) << driver << "\n" << v.out << v.err;
    EXPECT_EQ(v.status["notes are there"], "passed") << driver;
    EXPECT_EQ(v.status["main is hidden"], "passed") << driver;
    EXPECT_EQ(v.status["notes say so"], "passed") << driver;
  }
}

TEST_F(VerifyImage, CommandTestsRunThroughRuncOnBusyboxAndOnScratch) {
  const fs::path spec = work_->path() / "commands.yaml";
  std::ofstream(spec) << "schemaVersion: \"2.0.0\"\n"
                         "commandTests:\n"
                         "  - name: shell exit code and output\n    command: /bin/sh\n"
                         "    args: ['-c', 'echo out; echo err >&2; exit 3']\n"
                         "    exitCode: 3\n    expectedOutput: ['^out']\n    expectedError: ['err']\n"
                         "  - name: no network but loopback\n    command: /bin/cat\n    args: ['/proc/net/dev']\n"
                         "    excludedOutput: ['eth0']\n"
                         "  - name: wrong expectation\n    command: /bin/echo\n    args: ['hello']\n    expectedOutput: ['goodbye']\n";
  Verdict busybox = verify(images_->base, "local", {{"PLUGIN_CONFIG", spec.string()}});
  EXPECT_EQ(busybox.exit_code, 1) << busybox.out << busybox.err;
  EXPECT_EQ(busybox.status["shell exit code and output"], "passed") << busybox.message["shell exit code and output"];
  EXPECT_EQ(busybox.status["no network but loopback"], "passed") << busybox.message["no network but loopback"];
  EXPECT_EQ(busybox.status["wrong expectation"], "failed");

  Verdict scratch = verify(images_->scratch_static, "local", {{"PLUGIN_VERSION_ARGS", "--version"}});
  EXPECT_EQ(scratch.exit_code, 0) << scratch.out << scratch.err;
  EXPECT_EQ(scratch.status["binary runs"], "passed") << scratch.message["binary runs"];

  // The static driver cannot run commands: skipped with the reason, never passed.
  Verdict skipped = verify(images_->base, "static", {{"PLUGIN_CONFIG", spec.string()}});
  EXPECT_EQ(skipped.status["shell exit code and output"], "skipped");
}

TEST_F(VerifyImage, TheDigestFileOfTheBuildStepPinsTheImage) {
  // The tag moved to a broken image after the build; the digest the build wrote still names
  // the good one, and that is what the verify step checks.
  const std::string moved_tag = registry_->host() + "/verify/good:moved";
  run_ok({"skopeo", "copy", "--quiet", "--src-tls-verify=false", "--dest-tls-verify=false",
          "docker://" + images_->missing_binary, "docker://" + moved_tag});
  const fs::path digest_file = work_->path() / "digest";
  const Json manifest = Json::parse(run_ok({"skopeo", "inspect", "--tls-verify=false", "docker://" + images_->good}));
  std::ofstream(digest_file) << manifest.at("Digest").get<std::string>();
  EXPECT_EQ(verify(moved_tag, "static").exit_code, 1);
  Verdict v = verify(moved_tag, "static", {{"PLUGIN_DIGEST_FILE", digest_file.string()}});
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
  EXPECT_EQ(v.status["binary exists"], "passed");
}

TEST_F(VerifyImage, TheDotenvReportOfTheBuildStepNamesTheImage) {
  const fs::path dotenv = work_->path() / "image.env";
  const Json manifest = Json::parse(run_ok({"skopeo", "inspect", "--tls-verify=false", "docker://" + images_->good}));
  std::ofstream(dotenv) << "IMAGE_DIGEST=" << manifest.at("Digest").get<std::string>() << "\nIMAGE_REF=" << images_->good
                        << "@" << manifest.at("Digest").get<std::string>() << "\n";
  Verdict v = verify("", "static", {{"PLUGIN_DOTENV_FILE", dotenv.string()}});
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
}

TEST_F(VerifyImage, AnImageThatDoesNotExistIsAnInfrastructureErrorWithAReport) {
  Verdict v = verify(registry_->host() + "/verify/nothing:1", "static");
  EXPECT_EQ(v.exit_code, 3) << v.out << v.err;
}

TEST_F(VerifyImage, ABrokenSpecIsAUsageErrorWithAReport) {
  const fs::path spec = work_->path() / "broken.yaml";
  std::ofstream(spec) << "schemaVersion: \"2.0.0\"\nfileExistenceTests:\n  - name: x\n    path: /x\n    shouldExsit: true\n";
  Verdict v = verify(images_->good, "static", {{"PLUGIN_CONFIG", spec.string()}});
  EXPECT_EQ(v.exit_code, 2) << v.out << v.err;
  EXPECT_NE(v.err.find("broken.yaml:5"), std::string::npos) << v.err;
}

TEST_F(VerifyImage, AnUnknownFlagIsAUsageErrorAndTheReportIsWrittenAnyway) {
  const fs::path junit = work_->path() / "unknown-flag.xml";
  ProcessOptions options;
  options.extra_env = {{"PLUGIN_JUNIT", junit.string()}};
  const ProcessResult r = run_process({KILN_VERIFY_BINARY, "--imgae", images_->good}, options);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("did you mean --image"), std::string::npos) << r.err;
  ASSERT_TRUE(fs::exists(junit));
  for (const char* xsd : {"junit-10.xsd", "JUnit-ant-strict.xsd"})
    EXPECT_EQ(run_process({"xmllint", "--noout", "--schema", std::string(KILN_JUNIT_SCHEMAS) + "/" + xsd, junit.string()}).exit_code, 0);
}

TEST_F(VerifyImage, EveryPlatformOfAnIndexIsVerifiedThatTheDriverCanSee) {
  oci::RegistryClient client(registry_->host(), std::make_shared<oci::AnonymousKeychain>(),
                             oci::RegistryOptions{.insecure = true});
  push_busybox_base(client, {.repository = "verify/multi", .tag = "1", .multi_platform = true});
  const fs::path spec = work_->path() / "busybox.yaml";
  std::ofstream(spec) << "schemaVersion: \"2.0.0\"\nfileExistenceTests:\n  - name: busybox\n    path: /bin/busybox\n";
  const std::string image = registry_->host() + "/verify/multi:1";

  Verdict both = verify(image, "static", {{"PLUGIN_CONFIG", spec.string()}});
  EXPECT_EQ(both.exit_code, 0) << both.out << both.err;
  EXPECT_NE(both.out.find("linux/amd64"), std::string::npos) << both.out;
  EXPECT_NE(both.out.find("linux/arm64"), std::string::npos) << both.out;

  // runc runs amd64 here: the arm64 child is reported as skipped with the reason, not failed.
  Verdict local = verify(image, "local", {{"PLUGIN_CONFIG", spec.string()}});
  EXPECT_EQ(local.exit_code, 0) << local.out << local.err;
  EXPECT_EQ(local.status["busybox"], "passed");
  EXPECT_EQ(local.status["platform can be verified"], "skipped");
  EXPECT_NE(local.message["platform can be verified"].find("--driver static"), std::string::npos);

  Verdict arm_only = verify(image, "static", {{"PLUGIN_CONFIG", spec.string()}, {"PLUGIN_PLATFORM", "linux/arm64"}});
  EXPECT_EQ(arm_only.exit_code, 0) << arm_only.out << arm_only.err;
  EXPECT_EQ(arm_only.out.find("linux/amd64 "), std::string::npos) << arm_only.out;
}

// --print-pod needs no cluster: the pod kiln-verify would create runs the image by digest, and
// deserializes strictly into the official client's V1Pod (tests/verify/driver/kubernetes).
TEST_F(VerifyImage, PrintPodShowsTheCheckPodPinnedByDigest) {
  ProcessOptions options;
  options.extra_env = {{"PLUGIN_IMAGE", images_->good}, {"PLUGIN_INSECURE", "true"}, {"PLUGIN_DRIVER", "kubernetes"},
                       {"PLUGIN_VERIFY_IMAGE", "registry.example/kiln/verify:1"}, {"PLUGIN_PRINT_POD", "true"},
                       {"PLUGIN_JUNIT", (work_->path() / "print-pod.xml").string()}};
  const ProcessResult r = run_process({KILN_VERIFY_BINARY}, options);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json pod = Json::parse(r.out);
  const Json manifest = Json::parse(run_ok({"skopeo", "inspect", "--tls-verify=false", "docker://" + images_->good}));
  const std::string digest = manifest.at("Digest").get<std::string>();
  EXPECT_EQ(pod["spec"]["containers"][0]["image"], registry_->host() + "/verify/good@" + digest);
  EXPECT_EQ(pod["spec"]["initContainers"][0]["image"], "registry.example/kiln/verify:1");
  const fs::path file = work_->path() / "pod.json";
  std::ofstream(file) << r.out;
  const ProcessResult strict = run_process(
      {"/usr/bin/python3", KILN_SOURCE_DIR "/tests/support/strict_manifest_check.py", file.string()});
  EXPECT_EQ(strict.exit_code, 0) << strict.out << strict.err;
}

// The kubernetes driver through the real kiln-verify, against a STAND-IN API server (there is
// no cluster here) that refuses to create the pod: an infrastructure error, a report anyway.
TEST_F(VerifyImage, AClusterThatRefusesThePodIsAnInfrastructureError) {
  StandInKubernetesApi api(PodScript::create_forbidden, "stand-in-token");
  const fs::path kubeconfig = work_->path() / "kubeconfig";
  std::ofstream(kubeconfig) << "apiVersion: v1\nkind: Config\ncurrent-context: test\n"
                               "clusters:\n- name: stand-in\n  cluster:\n    server: " << api.server() << "\n"
                               "users:\n- name: ci\n  user:\n    token: stand-in-token\n"
                               "contexts:\n- name: test\n  context:\n    cluster: stand-in\n    user: ci\n    namespace: imgbuild\n";
  Verdict v = verify(images_->good, "kubernetes", {{"PLUGIN_KUBECONFIG", kubeconfig.string()},
                                                   {"PLUGIN_VERIFY_IMAGE", "registry.example/kiln/verify:1"}});
  EXPECT_EQ(v.exit_code, 3) << v.out << v.err;
  EXPECT_NE((v.out + v.err).find("403"), std::string::npos) << v.out << v.err;
  EXPECT_EQ((v.out + v.err).find("stand-in-token"), std::string::npos) << "the token leaked";
  EXPECT_TRUE(api.live_pods().empty());
}

}  // namespace
}  // namespace kiln::testing
