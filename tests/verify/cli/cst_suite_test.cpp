// container-structure-test's own end-to-end suite (its tests/structure_test_tests.sh) through
// kiln-verify: the same YAML files, unchanged (tests/verify/cli/cst/), and CST's verdict — pass
// (exit 0) or fail (non-zero) — for every scenario. Ubuntu 22.04 cannot be pulled here, so each
// image is a busybox-static stand-in for what the configs look at; the adaptations are listed
// in verify/spec/README.md. Commands run with the local driver (CST's docker driver), under runc.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "core/process.h"
#include "core/temp_dir.h"
#include "oci/credentials/credential.h"
#include "oci/json.h"
#include "oci/registry/client.h"
#include "tests/support/hostile_layers.h"
#include "tests/support/local_registry.h"
#include "tests/verify/driver/test_image.h"
#include "tests/verify/driver/test_layers.h"

namespace kiln::testing {
namespace {

namespace fs = std::filesystem;
using oci::Json;
using verify::testing::dir;
using verify::testing::file;
using verify::testing::symlink;
using verify::testing::TarEntry;

const fs::path kConfigs = fs::path(KILN_SOURCE_DIR) / "tests/verify/cli/cst";

std::string host_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string script(const std::string& body) { return "#!/bin/sh\n" + body; }

// What ubuntu:22.04 shows the configs: busybox for the shell and coreutils, scripts for the
// programs busybox lacks (bash, printenv) and for apt's two commands the configs call.
std::vector<TarEntry> ubuntu_entries() {
  std::vector<TarEntry> entries{
      dir("bin"), file("bin/busybox", host_file("/bin/busybox"), 0755), dir("usr"), dir("usr/bin"), dir("usr/sbin"),
      dir("etc"), dir("etc/apt"), dir("root", 0700), dir("tmp", 01777), dir("var"), dir("var/lib"),
      dir("var/lib/apt"), dir("var/lib/apt/lists"),
      file("etc/passwd", "root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"),
      file("etc/group", "root:x:0:\nnogroup:x:65534:\n"),
      file("etc/apt/sources.list", "deb http://archive.ubuntu.com/ubuntu/ jammy main restricted\n"),
      file("etc/hosts", "127.0.0.1 localhost\n"), file("etc/machine-id", ""),
      file("bin/bash", script("exec /bin/sh \"$@\"\n"), 0755),
      file("usr/bin/printenv", script("exec /bin/env \"$@\"\n"), 0755),
      file("usr/bin/apt-get",
           script("case \"$1\" in\n"
                  "  help) echo 'apt 2.4.5 (amd64)'; echo 'Usage: apt-get [options] command' ;;\n"
                  "  update)\n"
                  "    if [ \"$(id -u)\" != 0 ]; then\n"
                  "      echo 'E: Could not open lock file /var/lib/apt/lists/lock - open (13: Permission denied)' >&2\n"
                  "      exit 100\n"
                  "    fi\n"
                  "    echo 'Reading package lists... Done' ;;\n"
                  "  *) echo \"E: Invalid operation $1\" >&2; exit 100 ;;\n"
                  "esac\n"),
           0755),
      file("usr/bin/apt-config",
           script("[ \"$1\" = dump ] || exit 100\n"
                  "echo 'APT \"\";'; echo 'APT::Architecture \"amd64\";'; echo 'APT::AutoRemove \"\";'\n"),
           0755),
      dir("usr/share"), dir("usr/share/doc"), dir("usr/share/doc/dash"), dir("usr/share/doc/ubuntu-keyring"),
      dir("usr/share/doc/libgnutls30"),
      file("usr/share/doc/dash/copyright", "License: BSD-3-clause\n"),
      file("usr/share/doc/ubuntu-keyring/copyright", "License: GPL-2+\n"),
      // Skipped by CST's debian license check whatever it says.
      file("usr/share/doc/libgnutls30/copyright", "License: AGPL\n")};
  for (const char* applet : {"sh", "cat", "date", "env", "id", "whoami", "test", "echo", "grep", "awk", "touch", "rm"})
    entries.push_back(symlink(std::string("bin/") + applet, "busybox"));
  return entries;
}

const Json kUbuntuConfig = {{"Env", {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}},
                            {"Cmd", {"/bin/bash"}}};

struct Outcome {
  int exit_code = -1;
  std::string out, err;
  std::map<std::string, int> statuses;  ///< how many tests of the JSON report ended how
};

class CstSuite : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    registry_ = new LocalRegistry();
    work_ = new TempDir("kiln-cst-suite");
    oci::RegistryClient client(registry_->host(), std::make_shared<oci::AnonymousKeychain>(),
                               oci::RegistryOptions{.insecure = true});
    auto push = [&](const std::string& repository, std::vector<TarEntry> entries, const Json& config) {
      const std::string blob = verify::testing::write_tar(entries);
      push_layers(client, repository, "latest",
                  {{.blob = blob, .diff_id = verify::testing::diff_id_of(blob),
                    .media_type = "application/vnd.oci.image.layer.v1.tar+gzip"}},
                  config);
    };
    push("cst/ubuntu", ubuntu_entries(), kUbuntuConfig);
    // Dockerfile.unprivileged: a user 1001 with a home, and USER 1001.
    std::vector<TarEntry> unprivileged = ubuntu_entries();
    for (auto& entry : unprivileged)
      if (entry.path == "etc/passwd") entry.data += "nonroot:x:1001:1001::/home/nonroot:/bin/sh\n";
    TarEntry home = dir("home/nonroot");
    home.uid = home.gid = 1001;
    unprivileged.insert(unprivileged.end(), {dir("home"), home});
    Json unprivileged_config = kUbuntuConfig;
    unprivileged_config["User"] = "1001";
    push("cst/ubuntu-unprivileged", unprivileged, unprivileged_config);
    // Dockerfile.cap: libcap2-bin's capsh; the stand-in prints the effective set the way
    // `capsh --print` names cap_sys_admin.
    std::vector<TarEntry> cap = ubuntu_entries();
    cap.push_back(file("usr/sbin/capsh",
                       script("eff=$(awk '/^CapEff/ {print $2}' /proc/self/status)\n"
                              "printf 'Current: ='\n"
                              "[ $(( (0x$eff >> 21) & 1 )) = 1 ] && printf ' cap_sys_admin'\n"
                              "[ $(( (0x$eff >> 13) & 1 )) = 1 ] && printf ' cap_net_raw'\n"
                              "echo '+ep'\n"),
                       0755));
    push("cst/ubuntu-cap", cap, kUbuntuConfig);
    // Dockerfile.metadata.
    Json metadata_config = kUbuntuConfig;
    metadata_config["Env"] = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "SOME_KEY=SOME_VAL",
                              "EMPTY_VAR=", "FOO_BAR=FOO\\:BAR=BAZ", "REGEX_VAR=test-2.1.8"};
    metadata_config["Labels"] = {{"localnet.localdomain.commit_hash", "0123456789abcdef0123456789abcdef01234567"},
                                 {"localnet.my-domain.my-label", "my test label"},
                                 {"label-with-empty-val", ""}};
    push("cst/metadata", ubuntu_entries(), metadata_config);
  }
  static void TearDownTestSuite() {
    delete work_;
    delete registry_;
  }

  static std::string image(const std::string& repository) { return registry_->host() + "/" + repository + ":latest"; }

  // kiln-verify with CST's own flags; the registry is the test's plain-HTTP one.
  Outcome cst(std::vector<std::string> args, std::map<std::string, std::string> env = {},
              const std::string& working_dir = "") {
    std::vector<std::string> argv{KILN_VERIFY_BINARY, "test"};
    argv.insert(argv.end(), args.begin(), args.end());
    env["PLUGIN_INSECURE"] = "true";
    env["PLUGIN_JUNIT"] = (work_->path() / ("junit-" + std::to_string(++runs_) + ".xml")).string();
    const fs::path json = work_->path() / ("report-" + std::to_string(runs_) + ".json");
    env["PLUGIN_JSON"] = json.string();
    ProcessOptions options{.extra_env = env, .working_dir = working_dir, .timeout = std::chrono::seconds(180)};
    const ProcessResult r = run_process(argv, options);
    Outcome outcome{.exit_code = r.exit_code, .out = r.out, .err = r.err};
    if (!fs::exists(json)) return outcome;
    const Json report = Json::parse(host_file(json.string()));
    for (const auto& suite : report.at("suites"))
      for (const auto& test : suite.at("tests")) ++outcome.statuses[test.at("status").get<std::string>()];
    if (outcome.statuses.empty()) ADD_FAILURE() << "no tests in " << report.dump(2);
    return outcome;
  }

  static std::string config(const std::string& name) { return (kConfigs / name).string(); }
  static std::string skopeo_source(const std::string& repository) { return "docker://" + image(repository); }

  static LocalRegistry* registry_;
  static TempDir* work_;
  static int runs_;
};

LocalRegistry* CstSuite::registry_ = nullptr;
TempDir* CstSuite::work_ = nullptr;
int CstSuite::runs_ = 0;

// CST's PASS: exit 0, and every test ran and passed (a skipped command test is no pass).
#define EXPECT_CST_PASS(outcome)                                                            \
  do {                                                                                      \
    const Outcome o = (outcome);                                                            \
    EXPECT_EQ(o.exit_code, 0) << "stdout:\n" << o.out << "\nstderr:\n" << o.err;            \
    EXPECT_GT(o.statuses.count("passed"), 0u);                                              \
    EXPECT_EQ(o.statuses.size(), 1u) << "tests not passed:\n" << o.out;                     \
  } while (0)
#define EXPECT_CST_FAIL(outcome, exit)                                               \
  do {                                                                               \
    const Outcome o = (outcome);                                                     \
    EXPECT_EQ(o.exit_code, exit) << "stdout:\n" << o.out << "\nstderr:\n" << o.err;  \
  } while (0)

TEST_F(CstSuite, PositiveTestCase) {
  EXPECT_CST_PASS(cst({"--driver", "docker", "--image", image("cst/ubuntu"), "--config", config("ubuntu_22_04_test.yaml")}));
}

TEST_F(CstSuite, RunOptionsUser) {
  EXPECT_CST_PASS(cst({"--driver", "docker", "--image", image("cst/ubuntu-unprivileged"), "--config",
                       config("ubuntu_22_04_containeropts_user_test.yaml")}));
  // Without `user: root` the image's own user 1001 cannot take apt's lock: the option is real.
  const fs::path without = work_->path() / "user_without_option.yaml";
  std::string text = host_file(config("ubuntu_22_04_containeropts_user_test.yaml"));
  text = text.substr(0, text.find("containerRunOptions:"));
  std::ofstream(without) << text;
  EXPECT_CST_FAIL(cst({"--driver", "docker", "--image", image("cst/ubuntu-unprivileged"), "--config", without.string()}), 1);
}

TEST_F(CstSuite, RunOptionsCapabilitiesAndBindMounts) {
  // Docker creates a missing bind mount source; kiln does not create host paths, so the test does.
  std::error_code ec;
  const bool created = fs::create_directory("/tmp/test", ec);
  EXPECT_CST_PASS(cst({"--driver", "docker", "--image", image("cst/ubuntu-cap"), "--config",
                       config("ubuntu_22_04_containeropts_test.yaml")}));
  // Without privileged and capabilities the stand-in capsh sees no cap_sys_admin.
  const fs::path without = work_->path() / "caps_without_options.yaml";
  std::string text = host_file(config("ubuntu_22_04_containeropts_test.yaml"));
  text = text.substr(0, text.find("containerRunOptions:")) + "containerRunOptions:\n  bindMounts:\n    - \"/tmp/test:/tmp/test\"\n";
  std::ofstream(without) << text;
  const Outcome o = cst({"--driver", "docker", "--image", image("cst/ubuntu-cap"), "--config", without.string(),
                         "--output", "json"});
  EXPECT_EQ(o.exit_code, 1) << o.out << o.err;
  const Json report = Json::parse(o.out);
  std::map<std::string, std::string> status;
  for (const auto& suite : report.at("suites"))
    for (const auto& test : suite.at("tests")) status[test.at("name")] = test.at("status");
  EXPECT_EQ(status["Test Capabilities containerRunOptions"], "failed");
  EXPECT_EQ(status["Test bindMounts containerRunOptions"], "passed");
  if (created) fs::remove("/tmp/test", ec);
}

TEST_F(CstSuite, RunOptionsEnvVarsFromTheEnvironment) {
  EXPECT_CST_PASS(cst({"--driver", "docker", "--image", image("cst/ubuntu"), "--config",
                       config("ubuntu_22_04_containeropts_env_test.yaml")},
                      {{"FOO", "keepitsecret!"}, {"BAR", "keepitsafe!"}}));
  EXPECT_CST_FAIL(cst({"--driver", "docker", "--image", image("cst/ubuntu"), "--config",
                       config("ubuntu_22_04_containeropts_env_test.yaml")}, {}),
                  1);
}

TEST_F(CstSuite, RunOptionsEnvFileRelativeToTheWorkingDirectory) {
  const fs::path cwd = work_->path() / "envfile-cwd";
  fs::create_directories(cwd / "tests");
  fs::copy_file(kConfigs / "envfile", cwd / "tests/envfile", fs::copy_options::overwrite_existing);
  EXPECT_CST_PASS(cst({"--driver", "docker", "--image", image("cst/ubuntu"), "--config",
                       config("ubuntu_22_04_containeropts_envfile_test.yaml")}, {}, cwd.string()));
}

TEST_F(CstSuite, MetadataInEveryDriverCstHasHere) {
  EXPECT_CST_PASS(cst({"--image", image("cst/metadata"), "--config", config("ubuntu_22_04_metadata_test.yaml")}));
  // `docker save` and CST's tar driver: the image as a docker-archive file.
  const fs::path tar = work_->path() / "debian8-with-metadata.tar";
  const ProcessResult saved = run_process({"skopeo", "copy", "--src-tls-verify=false", skopeo_source("cst/metadata"),
                                           "docker-archive:" + tar.string() + ":test.local/debian8-with-metadata:latest"});
  ASSERT_EQ(saved.exit_code, 0) << saved.err;
  EXPECT_CST_PASS(cst({"--driver", "tar", "--image", tar.string(), "--config", config("ubuntu_22_04_metadata_test.yaml")}));
  // CST's host driver checks the machine it runs on: kiln verifies images only and says so.
  const Outcome host = cst({"--driver", "host", "--config", config("ubuntu_22_04_metadata_test.yaml")});
  EXPECT_EQ(host.exit_code, 2);
  EXPECT_NE(host.err.find("CST's host driver tests this machine itself, not an image"), std::string::npos) << host.err;
}

TEST_F(CstSuite, FailureTestCase) {
  const Outcome o = cst({"--driver", "docker", "--image", image("cst/ubuntu"), "--config",
                         config("ubuntu_22_04_failure_test.yaml"), "--output", "json"});
  EXPECT_EQ(o.exit_code, 1) << o.out << o.err;
  const Json report = Json::parse(o.out);
  std::map<std::string, std::string> status;
  for (const auto& suite : report.at("suites"))
    for (const auto& test : suite.at("tests")) status[test.at("name")] = test.at("status");
  // What CST itself reports for these tests of the file on ubuntu:22.04.
  EXPECT_EQ(status["bad apt-get-command"], "failed");  // apt-get exits 100, not 1
  EXPECT_EQ(status["path"], "passed");
  EXPECT_EQ(status["Debian Sources"], "failed");
  EXPECT_EQ(status["Wrong Retry Policy"], "failed");
  EXPECT_EQ(status["Fake Dir"], "failed");
  EXPECT_EQ(status["Wrong permissions"], "failed");
  EXPECT_EQ(status["License Test"], "passed");
}

TEST_F(CstSuite, OciLayoutNeedsARefNameOrTheDefaultImageTag) {
  const fs::path layout = work_->path() / "oci-layout";
  const ProcessResult pulled =
      run_process({"skopeo", "copy", "--src-tls-verify=false", skopeo_source("cst/ubuntu"), "oci:" + layout.string()});
  ASSERT_EQ(pulled.exit_code, 0) << pulled.err;
  const Outcome refused = cst({"--driver", "docker", "--image-from-oci-layout=" + layout.string(), "--config",
                               config("ubuntu_22_04_test.yaml")});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE((refused.out + refused.err).find("index does not contain a reference annotation. --default-image-tag must "
                                             "be provided."),
            std::string::npos)
      << refused.out << refused.err;
  EXPECT_CST_PASS(cst({"--driver", "docker", "--image-from-oci-layout=" + layout.string(),
                       "--default-image-tag=test.local/ubuntu:22.04", "--config", config("ubuntu_22_04_test.yaml")}));
}

TEST_F(CstSuite, PlatformOfTheImageOrAnError) {
  EXPECT_CST_PASS(cst({"--driver", "docker", "--image", image("cst/ubuntu"), "--platform=linux/amd64", "--config",
                       config("ubuntu_22_04_test.yaml")}));
  const Outcome other = cst({"--driver", "docker", "--image", image("cst/ubuntu"), "--platform=linux/riscv64",
                             "--config", config("ubuntu_22_04_test.yaml")});
  EXPECT_NE(other.exit_code, 0);
  EXPECT_NE((other.out + other.err).find("linux/amd64"), std::string::npos) << other.out << other.err;
}

// kiln's additions to CST's habits: repeated -c, an OCI archive as --image, --test-report into a
// directory that does not exist yet, valid against both JUnit schemas.
TEST_F(CstSuite, RepeatedConfigsAnOciArchiveAndAReportInANewDirectory) {
  const fs::path archive = work_->path() / "ubuntu-oci.tar";
  const ProcessResult saved =
      run_process({"skopeo", "copy", "--src-tls-verify=false", skopeo_source("cst/metadata"), "oci-archive:" + archive.string()});
  ASSERT_EQ(saved.exit_code, 0) << saved.err;
  const fs::path report = work_->path() / "reports/nested/cst.xml";
  const Outcome o = cst({"-d", "docker", "-i", archive.string(), "-c", config("ubuntu_22_04_test.yaml"), "-c",
                         config("ubuntu_22_04_metadata_test.yaml"), "--test-report", report.string(),
                         "--junit-suite-name", "structure-tests", "-q"});
  EXPECT_EQ(o.exit_code, 0) << o.out << o.err;
  EXPECT_EQ(o.out, "");  // --quiet
  ASSERT_TRUE(fs::exists(report)) << o.err;
  const std::string xml = host_file(report.string());
  EXPECT_NE(xml.find("name=\"structure-tests (ubuntu_22_04_test)\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("name=\"structure-tests (ubuntu_22_04_metadata_test)\""), std::string::npos) << xml;
  for (const char* xsd : {"junit-10.xsd", "JUnit-ant-strict.xsd"})
    EXPECT_EQ(run_process({"xmllint", "--noout", "--schema", std::string(KILN_JUNIT_SCHEMAS) + "/" + xsd, report.string()})
                  .exit_code,
              0)
        << report << " does not validate against " << xsd;
}

}  // namespace
}  // namespace kiln::testing
