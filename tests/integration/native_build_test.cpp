// End-to-end: kiln-plugin, run as a CI runner runs it (environment only), builds on a
// busybox-static base pushed by kiln's own code into a real docker-registry; tools kiln did not
// write (skopeo, umoci, runc) then prove the result is a valid image that runs the binary.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/temp_dir.h"
#include "oci/credentials/credential.h"
#include "oci/json.h"
#include "oci/registry/client.h"
#include "tests/support/busybox_image.h"
#include "tests/support/local_registry.h"
#include "tests/support/tools.h"

namespace kiln::testing {
namespace {

using oci::Json;

class NativeBuild : public ::testing::Test {
 protected:
  void SetUp() override {
    oci::RegistryClient client(registry_.host(), std::make_shared<oci::AnonymousKeychain>(),
                               oci::RegistryOptions{.insecure = true});
    base_digest_ = push_busybox_base(client, {.repository = "base/busybox", .tag = "1"}).to_string();
    std::filesystem::create_directories(work_.path() / "docker");
  }

  // The settings a Drone or Woodpecker step would pass for the demo build.
  std::map<std::string, std::string> settings(const std::string& repo = "team/app") const {
    return {{"PLUGIN_REPO", registry_.host() + "/" + repo},
            {"PLUGIN_BASE_IMAGE", registry_.host() + "/base/busybox:1"},
            {"PLUGIN_BINARY", KILN_HELLO_BINARY},
            {"PLUGIN_INSECURE", "true"},
            {"PLUGIN_LAYER_CACHE_DIR", (work_.path() / "layer-cache").string()},
            {"DOCKER_CONFIG", (work_.path() / "docker").string()}};
  }

  std::string build(const std::map<std::string, std::string>& env) const {
    const ProcessResult r = run_plugin(env);
    EXPECT_EQ(r.exit_code, 0) << r.err << r.out;
    return r.out;
  }

  Json inspect(const std::string& ref, const std::vector<std::string>& extra = {}) const {
    std::vector<std::string> argv{"skopeo", "inspect", "--tls-verify=false"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    argv.push_back("docker://" + ref);
    return Json::parse(run_ok(argv));
  }

  // Copies the image out with skopeo (which re-verifies every digest), unpacks it with umoci
  // and runs it with runc; returns what the container printed.
  std::string run_image(const std::string& ref) const {
    const auto layout = work_.path() / "layout";
    const auto bundle = work_.path() / "bundle";
    std::filesystem::remove_all(layout);
    std::filesystem::remove_all(bundle);
    run_ok({"skopeo", "copy", "--src-tls-verify=false", "docker://" + ref, "oci:" + layout.string() + ":run"});
    run_ok({"umoci", "unpack", "--image", layout.string() + ":run", bundle.string()});
    auto spec = Json::parse(std::ifstream(bundle / "config.json"));
    spec["process"]["terminal"] = false;
    std::ofstream(bundle / "config.json") << spec.dump();
    const std::string id = "kiln-test-" + std::to_string(::getpid());
    return run_ok({"runc", "--root", (work_.path() / "runc").string(), "run", "--bundle", bundle.string(), id});
  }

  LocalRegistry registry_;
  TempDir work_{"kiln-native-test"};
  std::string base_digest_;
};

}  // namespace

TEST_F(NativeBuild, PushesAnImageThatSkopeoUmociAndRuncAccept) {
  auto env = settings();
  env["PLUGIN_TAGS"] = "v1,latest";
  env["PLUGIN_DIGEST_FILE"] = (work_.path() / "digest").string();
  const std::string out = build(env);
  const std::string digest = digest_in(out);
  ASSERT_FALSE(digest.empty()) << out;
  EXPECT_NE(out.find("pushed " + registry_.host() + "/team/app:v1@" + digest), std::string::npos) << out;
  EXPECT_NE(out.find("pushed " + registry_.host() + "/team/app:latest@" + digest), std::string::npos) << out;
  std::ifstream digest_file(work_.path() / "digest");
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(digest_file), {}), digest);

  const Json info = inspect(registry_.host() + "/team/app:v1");
  EXPECT_EQ(info["Digest"], digest);
  EXPECT_EQ(info["Architecture"], "amd64");
  EXPECT_EQ(info["Layers"].size(), 2u);
  EXPECT_EQ(inspect(registry_.host() + "/team/app:latest")["Digest"], digest);

  const Json config = inspect(registry_.host() + "/team/app:v1", {"--config"});
  EXPECT_EQ(config["config"]["WorkingDir"], "/usr/local/app");
  EXPECT_EQ(config["config"]["Entrypoint"], Json::array({"/usr/local/app/main"}));
  EXPECT_FALSE(config["config"].contains("Cmd")) << "the base's Cmd [/bin/sh] must not become main's argument";
  EXPECT_EQ(config["config"]["Env"][0], "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
  EXPECT_EQ(config["history"].size(), 2u);

  EXPECT_EQ(run_image(registry_.host() + "/team/app:v1"),
            "hello from kiln (cwd /usr/local/app, argv0 /usr/local/app/main)\n");
  const auto main_file = work_.path() / "bundle/rootfs/usr/local/app/main";
  EXPECT_EQ(std::filesystem::status(main_file).permissions() & std::filesystem::perms::all,
            std::filesystem::perms(0755));
  EXPECT_TRUE(std::filesystem::exists(work_.path() / "bundle/rootfs/bin/busybox")) << "base layer kept";
}

// Binary on base: the OCI labels go into the config through the same edit as the entrypoint;
// without SOURCE_DATE_EPOCH created is the config's own (1970), so rebuilds keep their digest.
TEST_F(NativeBuild, BinaryOnBaseGetsLabels) {
  auto env = settings();
  env["DRONE"] = "true";
  env["DRONE_COMMIT_SHA"] = "abc123";
  env["DRONE_REPO_LINK"] = "https://ci:tok@git.example/o/r";
  env["PLUGIN_CUSTOM_LABELS"] = "team=kiln";
  build(env);
  const Json config = inspect(registry_.host() + "/team/app:latest", {"--config"});
  EXPECT_EQ(config["config"]["Labels"], (Json{{"org.opencontainers.image.created", "1970-01-01T00:00:00Z"},
                                              {"org.opencontainers.image.revision", "abc123"},
                                              {"org.opencontainers.image.source", "https://git.example/o/r"},
                                              {"org.opencontainers.image.url", "https://git.example/o/r"},
                                              {"team", "kiln"}}))
      << config.dump();
  EXPECT_EQ(config["created"], "1970-01-01T00:00:00Z");
  env["PLUGIN_AUTO_LABEL"] = "false";
  env["PLUGIN_TAGS"] = "plain";
  build(env);
  EXPECT_EQ(inspect(registry_.host() + "/team/app:plain", {"--config"})["config"]["Labels"], (Json{{"team", "kiln"}}));
}

TEST_F(NativeBuild, SameInputsAndSourceDateEpochGiveTheSameDigest) {
  auto env = settings();
  env["SOURCE_DATE_EPOCH"] = "1700000000";
  env["PLUGIN_TAGS"] = "first";
  const std::string first = digest_in(build(env));
  env["PLUGIN_TAGS"] = "second";
  const std::string again = build(env);
  EXPECT_EQ(digest_in(again), first);
  auto other = settings("other/app");
  other["SOURCE_DATE_EPOCH"] = "1700000000";
  EXPECT_EQ(digest_in(build(other)), first) << "the repository name is not part of the image";
  EXPECT_EQ(inspect(registry_.host() + "/team/app:first", {"--config"})["created"], "2023-11-14T22:13:20Z");
}

TEST_F(NativeBuild, UnchangedRebuildUploadsNoLayer) {
  const std::string first = digest_in(build(settings()));
  const ProcessResult again = run_plugin(settings());
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(digest_in(again.out), first);
  EXPECT_NE(again.err.find("already in the registry"), std::string::npos) << again.err;
  EXPECT_NE(again.err.find("0 new layer(s) uploaded"), std::string::npos) << again.err;
  // The local layer cache is only a shortcut: another repository still gets its layer.
  const ProcessResult elsewhere = run_plugin(settings("other/app"));
  ASSERT_EQ(elsewhere.exit_code, 0) << elsewhere.err;
  EXPECT_NE(elsewhere.err.find("1 new layer(s) uploaded"), std::string::npos) << elsewhere.err;
  EXPECT_EQ(inspect(registry_.host() + "/other/app:latest")["Layers"].size(), 2u);
}

TEST_F(NativeBuild, ZstdOnADockerBaseBecomesAnOciImage) {
  auto env = settings();
  env["PLUGIN_COMPRESSION"] = "zstd";
  build(env);
  const Json raw = Json::parse(run_ok({"skopeo", "inspect", "--raw", "--tls-verify=false",
                                       "docker://" + registry_.host() + "/team/app:latest"}));
  EXPECT_EQ(raw["mediaType"], "application/vnd.oci.image.manifest.v1+json");
  EXPECT_EQ(raw["config"]["mediaType"], "application/vnd.oci.image.config.v1+json");
  EXPECT_EQ(raw["layers"][0]["mediaType"], "application/vnd.oci.image.layer.v1.tar+gzip");
  EXPECT_EQ(raw["layers"][1]["mediaType"], "application/vnd.oci.image.layer.v1.tar+zstd");
  EXPECT_EQ(raw["annotations"]["org.opencontainers.image.base.digest"], base_digest_);
  // skopeo copy re-reads and verifies every blob digest.
  run_ok({"skopeo", "copy", "--src-tls-verify=false", "docker://" + registry_.host() + "/team/app:latest",
          "oci:" + (work_.path() / "zstd").string() + ":x"});
}

TEST_F(NativeBuild, MultiPlatformBaseGetsOneBinaryPerPlatformAndANewIndex) {
  oci::RegistryClient client(registry_.host(), std::make_shared<oci::AnonymousKeychain>(),
                             oci::RegistryOptions{.insecure = true});
  push_busybox_base(client, {.repository = "base/multi", .tag = "1", .format = ImageFormat::oci, .multi_platform = true});
  const auto script = work_.path() / "arm64-main.sh";
  std::ofstream(script) << "#!/bin/sh\necho arm64\n";
  auto env = settings();
  env["PLUGIN_BASE_IMAGE"] = registry_.host() + "/base/multi:1";
  env["PLUGIN_BINARY"] = std::string("linux/amd64=") + KILN_HELLO_BINARY + ",linux/arm64/v8=" + script.string();
  build(env);
  const std::string ref = registry_.host() + "/team/app:latest";
  const Json index = Json::parse(run_ok({"skopeo", "inspect", "--raw", "--tls-verify=false", "docker://" + ref}));
  EXPECT_EQ(index["mediaType"], "application/vnd.oci.image.index.v1+json");
  ASSERT_EQ(index["manifests"].size(), 2u);
  EXPECT_EQ(index["manifests"][1]["platform"]["architecture"], "arm64");
  EXPECT_EQ(index["manifests"][1]["platform"]["variant"], "v8");
  const Json arm = inspect(ref, {"--override-arch", "arm64", "--override-variant", "v8"});
  EXPECT_EQ(arm["Architecture"], "arm64");
  EXPECT_EQ(arm["Layers"].size(), 2u);
  EXPECT_EQ(run_image(ref), "hello from kiln (cwd /usr/local/app, argv0 /usr/local/app/main)\n");
}

TEST_F(NativeBuild, BareBinaryOnAnIndexGoesOnItsOwnArchitecture) {
  oci::RegistryClient client(registry_.host(), std::make_shared<oci::AnonymousKeychain>(),
                             oci::RegistryOptions{.insecure = true});
  push_busybox_base(client, {.repository = "base/multi", .tag = "1", .format = ImageFormat::docker, .multi_platform = true});
  auto env = settings();
  env["PLUGIN_BASE_IMAGE"] = registry_.host() + "/base/multi:1";
  build(env);
  const Json raw = Json::parse(run_ok({"skopeo", "inspect", "--raw", "--tls-verify=false",
                                       "docker://" + registry_.host() + "/team/app:latest"}));
  EXPECT_EQ(raw["mediaType"], "application/vnd.docker.distribution.manifest.v2+json") << "one image, not an index";
  EXPECT_EQ(inspect(registry_.host() + "/team/app:latest")["Architecture"], "amd64");
}

TEST_F(NativeBuild, BaseInAnotherRegistryIsCopiedAcross) {
  LocalRegistry target;
  auto env = settings();
  env["PLUGIN_REPO"] = target.host() + "/team/app";
  const std::string digest = digest_in(build(env));
  EXPECT_EQ(inspect(target.host() + "/team/app:latest")["Digest"], digest);
  run_ok({"skopeo", "copy", "--src-tls-verify=false", "docker://" + target.host() + "/team/app:latest",
          "oci:" + (work_.path() / "copied").string() + ":x"});
}

TEST_F(NativeBuild, BadInputFailsBeforeAnythingIsPushedWithAClearMessage) {
  struct Row { std::map<std::string, std::string> change; int exit_code; std::string message; };
  const std::string host = registry_.host();
  for (const Row& r : std::vector<Row>{
           {{{"PLUGIN_TAGS", "ok,no good"}}, 2, "setting tags: invalid tag 'no good'"},
           {{{"PLUGIN_BASE_IMAGE", host + "/base/missing:1"}}, 3, host + ": GET manifest base/missing:1"},
           {{{"PLUGIN_BINARY", "linux/s390x=" + std::string(KILN_HELLO_BINARY)}}, 2,
            "setting binary: " + std::string(KILN_HELLO_BINARY) + " is an amd64 binary but is given for linux/s390x"},
           {{{"PLUGIN_BINARY", "/no/such/main"}}, 2, "setting binary: /no/such/main does not exist"},
       }) {
    auto env = settings("bad/app");
    for (const auto& [k, v] : r.change) env[k] = v;
    const ProcessResult result = run_plugin(env);
    EXPECT_EQ(result.exit_code, r.exit_code) << result.err;
    EXPECT_NE(result.err.find(r.message), std::string::npos) << "want: " << r.message << "\ngot: " << result.err;
  }
  const ProcessResult absent = run_process({"skopeo", "inspect", "--tls-verify=false", "docker://" + host + "/bad/app:latest"});
  EXPECT_NE(absent.exit_code, 0) << "nothing may be pushed for bad input";
}

}  // namespace kiln::testing
