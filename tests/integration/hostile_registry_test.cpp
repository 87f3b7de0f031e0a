// kiln-plugin and kiln-verify, the real executables, against a registry that answers with
// hostile content through the fault proxy (tests/support/fault_proxy.h): a manifest over the
// 4 MiB limit, blobs whose bytes do not match their digest, and a base that lacks the platform
// asked for. Each is refused with the exit code of its class and a message naming what is at
// fault, and nothing is pushed: the target tag stays absent.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <filesystem>
#include <fstream>

#include "core/temp_dir.h"
#include "oci/credentials/credential.h"
#include "oci/json.h"
#include "oci/registry/client.h"
#include "tests/support/busybox_image.h"
#include "tests/support/fault_proxy.h"
#include "tests/support/files.h"
#include "tests/support/local_registry.h"
#include "tests/support/tools.h"

namespace kiln::testing {
namespace {

namespace fs = std::filesystem;
using oci::Json;

constexpr const char* kBaseBlobs = "/v2/base/busybox/blobs/sha256:[0-9a-f]+";
constexpr const char* kBaseManifests = "/v2/base/busybox/manifests/.+";
constexpr std::size_t kManifestLimit = 4 * 1024 * 1024;

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

class HostileRegistry : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    registry_ = new LocalRegistry();
    proxy_ = new FaultProxy(registry_->host());
    work_ = new TempDir("kiln-hostile-test");
    fs::create_directories(work_->path() / "docker");
    oci::RegistryClient client(registry_->host(), std::make_shared<oci::AnonymousKeychain>(),
                               oci::RegistryOptions{.insecure = true});
    push_busybox_base(client, {.repository = "base/busybox", .tag = "1"});
    push_busybox_base(client, {.repository = "base/multi", .tag = "1", .multi_platform = true});
    const ProcessResult built = run_plugin(settings("hostile/good"));
    ASSERT_EQ(built.exit_code, 0) << built.err;
  }
  static void TearDownTestSuite() {
    delete work_;
    delete proxy_;
    delete registry_;
  }
  void SetUp() override { proxy_->reset(); }

  static std::map<std::string, std::string> settings(const std::string& repo) {
    return {{"PLUGIN_REPO", proxy_->host() + "/" + repo},
            {"PLUGIN_BASE_IMAGE", proxy_->host() + "/base/busybox:1"},
            {"PLUGIN_BINARY", KILN_HELLO_BINARY},
            {"PLUGIN_INSECURE", "true"},
            {"SOURCE_DATE_EPOCH", "1700000000"},
            {"DOCKER_CONFIG", (work_->path() / "docker").string()}};
  }

  static ProcessResult verify(const std::string& image, const fs::path& junit) {
    ProcessOptions options;
    options.extra_env = {{"PLUGIN_IMAGE", image}, {"PLUGIN_DRIVER", "static"}, {"PLUGIN_INSECURE", "true"},
                         {"PLUGIN_JUNIT", junit.string()}, {"DOCKER_CONFIG", (work_->path() / "docker").string()}};
    options.timeout = std::chrono::seconds(120);
    return run_process({KILN_VERIFY_BINARY}, options);
  }

  // True when the registry has no manifest under `repo:latest` (skopeo cannot inspect it).
  static bool tag_absent(const std::string& repo) {
    ProcessOptions options;
    options.timeout = std::chrono::seconds(60);
    const ProcessResult r = run_process(
        {"skopeo", "inspect", "--raw", "--tls-verify=false", "docker://" + registry_->host() + "/" + repo + ":latest"},
        options);
    return r.exit_code != 0;
  }

  static std::string good_blob(int index) {
    const Json manifest = Json::parse(run_ok({"skopeo", "inspect", "--raw", "--tls-verify=false",
                                              "docker://" + registry_->host() + "/hostile/good:latest"}));
    if (index == 0) return manifest["config"]["digest"];
    return manifest["layers"][static_cast<std::size_t>(index - 1)]["digest"];
  }

  static LocalRegistry* registry_;
  static FaultProxy* proxy_;
  static TempDir* work_;
};

LocalRegistry* HostileRegistry::registry_ = nullptr;
FaultProxy* HostileRegistry::proxy_ = nullptr;
TempDir* HostileRegistry::work_ = nullptr;

// A manifest of 5 MiB (valid JSON, so only its size is wrong) answers the base's manifest GET:
// kiln-plugin refuses it from its Content-Length, names the registry, the reference and the
// limit, exits 3 and pushes nothing.
TEST_F(HostileRegistry, APluginBaseManifestOverFourMiBIsRefused) {
  const std::string huge = R"({"schemaVersion":2,"padding":")" + std::string(5 * 1024 * 1024, 'a') + R"("})";
  proxy_->add({.method = "GET", .path = kBaseManifests, .action = FaultAction::serve_body, .times = FaultRule::kAlways,
               .body = huge});
  const ProcessResult r = run_plugin(settings("hostile/huge-manifest"));
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_TRUE(contains(r.err, proxy_->host() + ": GET manifest base/busybox:1")) << r.err;
  EXPECT_TRUE(contains(r.err, fmt::format("over the limit of {} bytes", kManifestLimit))) << r.err;
  EXPECT_TRUE(contains(r.err, fmt::format("{} bytes (Content-Length)", huge.size()))) << r.err;
  EXPECT_TRUE(tag_absent("hostile/huge-manifest"));
}

// The same for kiln-verify reading the image to check: exit 3, the limit named, and the JUnit
// report (still written) claims no digest for the image.
TEST_F(HostileRegistry, AVerifyManifestOverFourMiBIsRefused) {
  const std::string huge = R"({"schemaVersion":2,"padding":")" + std::string(5 * 1024 * 1024, 'a') + R"("})";
  proxy_->add({.method = "GET", .path = "/v2/hostile/good/manifests/.+", .action = FaultAction::serve_body,
               .times = FaultRule::kAlways, .body = huge});
  const fs::path junit = work_->path() / "huge-manifest.xml";
  const ProcessResult r = verify(proxy_->host() + "/hostile/good:latest", junit);
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_TRUE(contains(r.err, proxy_->host() + ": GET manifest hostile/good:latest")) << r.err;
  EXPECT_TRUE(contains(r.err, fmt::format("over the limit of {} bytes", kManifestLimit))) << r.err;
  ASSERT_TRUE(fs::exists(junit)) << "the report is still written";
  const std::string xml = read_file(junit);
  EXPECT_FALSE(contains(xml, "sha256:")) << "the report claims a digest\n" << xml;
}

// Every base blob GET answers with one byte flipped: the config the plugin reads fails its
// digest check. Exit 3 naming the registry and the digest; nothing pushed.
TEST_F(HostileRegistry, APluginBaseBlobThatDoesNotMatchItsDigestIsRefused) {
  proxy_->add({.method = "GET", .path = kBaseBlobs, .action = FaultAction::corrupt_body, .times = FaultRule::kAlways});
  const ProcessResult r = run_plugin(settings("hostile/corrupt-base"));
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_TRUE(contains(r.err, proxy_->host() + ": GET blob base/busybox@sha256:")) << r.err;
  EXPECT_TRUE(contains(r.err, "the content hashes to sha256:")) << r.err;
  bool faulted = false;
  for (const ProxiedRequest& p : proxy_->settled_log()) faulted = faulted || p.faulted;
  EXPECT_TRUE(faulted) << "no base blob was read through the proxy";
  EXPECT_TRUE(tag_absent("hostile/corrupt-base"));
}

// A base layer copied into another registry (so it is read, not mounted) with a flipped byte:
// exit 3 naming that layer's digest, nothing pushed.
TEST_F(HostileRegistry, APluginBaseLayerCopiedAcrossThatDoesNotMatchItsDigestIsRefused) {
  // Only the layer: the config (the first blob read) passes untouched.
  proxy_->add({.method = "GET", .path = kBaseBlobs, .action = FaultAction::corrupt_body, .nth = 2,
               .times = FaultRule::kAlways});
  auto env = settings("hostile/corrupt-layer");
  env["PLUGIN_REPO"] = registry_->host() + "/hostile/corrupt-layer";
  const ProcessResult r = run_plugin(env);
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_TRUE(contains(r.err, proxy_->host() + ": GET blob base/busybox@sha256:")) << r.err;
  EXPECT_TRUE(contains(r.err, "the content hashes to sha256:")) << r.err;
  EXPECT_TRUE(tag_absent("hostile/corrupt-layer"));
}

// kiln-verify reading a layer (the second blob: config first) with a flipped byte: exit 3
// naming the layer's digest and the registry.
TEST_F(HostileRegistry, AVerifyLayerThatDoesNotMatchItsDigestIsRefused) {
  proxy_->add({.method = "GET", .path = "/v2/hostile/good/blobs/.+", .action = FaultAction::corrupt_body, .nth = 2,
               .times = FaultRule::kAlways});
  const fs::path junit = work_->path() / "corrupt-layer.xml";
  const ProcessResult r = verify(proxy_->host() + "/hostile/good:latest", junit);
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_TRUE(contains(r.err, proxy_->host() + ": GET blob hostile/good@sha256:")) << r.err;
  EXPECT_TRUE(contains(r.err, "the content hashes to sha256:")) << r.err;
  bool layer_named = false;
  for (int i = 1; i <= 2 && !layer_named; ++i) {
    try {
      layer_named = contains(r.err, "hostile/good@" + good_blob(i));
    } catch (const std::exception&) {
    }
  }
  EXPECT_TRUE(layer_named) << r.err;
}

// PLUGIN_PLATFORM names a platform the base lacks, for a single-platform base and for an
// amd64/arm64 index: a usage error (exit 2) naming the platform asked and those available.
TEST_F(HostileRegistry, APlatformTheBaseLacksIsRefusedNamingWhatItHas) {
  struct Row { std::string base; std::vector<std::string> available; };
  for (const Row& row : std::vector<Row>{{"base/busybox:1", {"linux/amd64"}},
                                         {"base/multi:1", {"linux/amd64", "linux/arm64"}}}) {
    SCOPED_TRACE(row.base);
    const std::string repo = "hostile/s390x-" + row.base.substr(5, 5);
    auto env = settings(repo);
    env["PLUGIN_BASE_IMAGE"] = proxy_->host() + "/" + row.base;
    env["PLUGIN_PLATFORM"] = "linux/s390x";
    const ProcessResult r = run_plugin(env);
    EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
    EXPECT_TRUE(contains(r.err, "linux/s390x")) << r.err;
    for (const std::string& p : row.available) EXPECT_TRUE(contains(r.err, p)) << p << "\n" << r.err;
    EXPECT_TRUE(tag_absent(repo));
  }
}

}  // namespace
}  // namespace kiln::testing
