// kiln-plugin and kiln-verify, the real executables, against a registry that answers with
// hostile content through the fault proxy (tests/support/fault_proxy.h): a manifest over the
// 4 MiB limit, blobs whose bytes do not match their digest, and a base that lacks the platform
// asked for, a layer that never ends or ends early, a registry that trickles its answers. Each
// is refused with the exit code of its class and a message naming what is at fault, in a
// bounded time, and nothing is pushed: the target tag stays absent.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

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
using Clock = std::chrono::steady_clock;

constexpr std::size_t kManifestLimit = 4 * 1024 * 1024;

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

  static ProcessResult verify(const std::string& image, const fs::path& junit, const std::string& driver = "static",
                              const std::map<std::string, std::string>& more = {}) {
    ProcessOptions options;
    options.extra_env = {{"PLUGIN_IMAGE", image}, {"PLUGIN_DRIVER", driver}, {"PLUGIN_INSECURE", "true"},
                         {"PLUGIN_JUNIT", junit.string()}, {"DOCKER_CONFIG", (work_->path() / "docker").string()}};
    for (const auto& [name, value] : more) options.extra_env[name] = value;
    options.timeout = std::chrono::seconds(120);
    return run_process({KILN_VERIFY_BINARY}, options);
  }

  // The base's (or the pushed image's) layer requests the proxy answered with a fault.
  static std::vector<ProxiedRequest> faulted() {
    std::vector<ProxiedRequest> out;
    for (const ProxiedRequest& p : proxy_->settled_log())
      if (p.faulted) out.push_back(p);
    return out;
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

  // Layer `index` of repo:tag (counted from the top when negative), as the registry holds it.
  static std::string layer_bytes(const std::string& repo, const std::string& tag, int index) {
    const Json manifest = Json::parse(run_ok({"skopeo", "inspect", "--raw", "--tls-verify=false",
                                              "docker://" + registry_->host() + "/" + repo + ":" + tag}));
    const Json& layers = manifest["layers"];
    const Json& layer = layers[static_cast<std::size_t>(index < 0 ? static_cast<int>(layers.size()) + index : index)];
    oci::RegistryClient client(registry_->host(), std::make_shared<oci::AnonymousKeychain>(),
                               oci::RegistryOptions{.insecure = true});
    std::ostringstream out;
    client.get_blob_to(repo, oci::Digest::parse(layer["digest"].get<std::string>()), layer["size"].get<std::int64_t>(),
                       out);
    return out.str();
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

// A base layer that never ends (the registry streams 'k's until kiln hangs up), copied into
// another registry: kiln-plugin stops at the layer's declared size, exits 3 naming registry
// and digest, without retrying, and the proxy got to send socket buffers, not gigabytes.
TEST_F(HostileRegistry, APluginBaseLayerThatNeverEndsIsCutAtItsDeclaredSize) {
  proxy_->add({.method = "GET", .path = kBaseBlobs, .action = FaultAction::endless_body, .nth = 2,
               .times = FaultRule::kAlways});
  auto env = settings("hostile/endless-layer");
  env["PLUGIN_REPO"] = registry_->host() + "/hostile/endless-layer";
  const auto start = Clock::now();
  const ProcessResult r = run_plugin(env);
  const auto took = Clock::now() - start;
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_TRUE(contains(r.err, proxy_->host() + ": GET blob base/busybox@sha256:")) << r.err;
  EXPECT_TRUE(contains(r.err, "its descriptor declares; reading stopped there")) << r.err;
  EXPECT_LT(took, std::chrono::seconds(60));
  const auto hits = faulted();
  ASSERT_EQ(hits.size(), 1u) << "the layer was asked for again";
  EXPECT_LT(hits[0].bytes_sent, std::int64_t{64} << 20);
  EXPECT_TRUE(tag_absent("hostile/endless-layer"));
}

// Half of the base layer, complete by its own Content-Length: fewer bytes than the manifest
// declares is as final as other bytes.
TEST_F(HostileRegistry, APluginBaseLayerShorterThanDeclaredIsRefused) {
  const std::string layer = layer_bytes("base/busybox", "1", 0);
  proxy_->add({.method = "GET", .path = kBaseBlobs, .action = FaultAction::serve_body, .nth = 2,
               .times = FaultRule::kAlways, .body = layer.substr(0, layer.size() / 2),
               .content_type = "application/octet-stream"});
  auto env = settings("hostile/short-layer");
  env["PLUGIN_REPO"] = registry_->host() + "/hostile/short-layer";
  const ProcessResult r = run_plugin(env);
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_TRUE(contains(r.err, proxy_->host() + ": GET blob base/busybox@sha256:")) << r.err;
  EXPECT_TRUE(contains(r.err, "fewer than the")) << r.err;
  EXPECT_EQ(faulted().size(), 1u) << "retried";
  EXPECT_TRUE(tag_absent("hostile/short-layer"));
}

// kiln-verify reading a layer that never ends, with the static driver (streamed into the
// index) and the local driver (unpacked for runc): exit 3 naming registry and digest, quickly,
// and the JUnit report is still written.
TEST_F(HostileRegistry, AVerifyLayerThatNeverEndsIsCutAtItsDeclaredSize) {
  for (const std::string driver : {"static", "local"}) {
    SCOPED_TRACE(driver);
    proxy_->reset();
    proxy_->add({.method = "GET", .path = "/v2/hostile/good/blobs/.+", .action = FaultAction::endless_body, .nth = 2,
                 .times = FaultRule::kAlways});
    const fs::path junit = work_->path() / ("endless-" + driver + ".xml");
    const auto start = Clock::now();
    const ProcessResult r = verify(proxy_->host() + "/hostile/good:latest", junit, driver);
    EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
    EXPECT_TRUE(contains(r.err, proxy_->host() + ": GET blob hostile/good@sha256:")) << r.err;
    EXPECT_TRUE(contains(r.err, "its descriptor declares; reading stopped there")) << r.err;
    EXPECT_LT(Clock::now() - start, std::chrono::seconds(60));
    EXPECT_TRUE(fs::exists(junit));
    const auto hits = faulted();
    ASSERT_EQ(hits.size(), 1u) << "the layer was asked for again";
    EXPECT_LT(hits[0].bytes_sent, std::int64_t{64} << 20);
  }
}

// The top layer (the static driver's first) cut short for kiln-verify: exit 3, "fewer than".
TEST_F(HostileRegistry, AVerifyLayerShorterThanDeclaredIsRefused) {
  const std::string layer = layer_bytes("hostile/good", "latest", -1);  // read first: the top layer
  proxy_->add({.method = "GET", .path = "/v2/hostile/good/blobs/.+", .action = FaultAction::serve_body, .nth = 2,
               .times = FaultRule::kAlways, .body = layer.substr(0, layer.size() / 2),
               .content_type = "application/octet-stream"});
  const ProcessResult r = verify(proxy_->host() + "/hostile/good:latest", work_->path() / "short-layer.xml");
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_TRUE(contains(r.err, proxy_->host() + ": GET blob hostile/good@sha256:")) << r.err;
  EXPECT_TRUE(contains(r.err, "fewer than the")) << r.err;
}

// registry_timeout=2s and a base manifest whose headers come one byte a second: kiln-plugin
// gives up after about two seconds, once (no retry of a request that had its time), exit 3
// naming the registry and the manifest.
TEST_F(HostileRegistry, APluginRegistryThatTricklesHeadersMeetsRegistryTimeout) {
  proxy_->add({.method = "GET", .path = kBaseManifests, .action = FaultAction::trickle_headers,
               .times = FaultRule::kAlways});
  auto env = settings("hostile/trickle-headers");
  env["PLUGIN_REGISTRY_TIMEOUT"] = "2s";
  const auto start = Clock::now();
  const ProcessResult r = run_plugin(env);
  const auto took = Clock::now() - start;
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_TRUE(contains(r.err, proxy_->host() + ": GET manifest base/busybox:1")) << r.err;
  EXPECT_TRUE(contains(r.err, "timed out: the registry_timeout of 2s")) << r.err;
  EXPECT_GE(took, std::chrono::seconds(2));
  EXPECT_LT(took, std::chrono::seconds(20));
  EXPECT_EQ(faulted().size(), 1u) << "retried";
  EXPECT_TRUE(tag_absent("hostile/trickle-headers"));
}

// A base layer whose body comes one byte a second, copied across (KILN_ as GitLab sets it):
// the layer's rate allowance buys nothing at that pace; exit 3 after about two seconds.
TEST_F(HostileRegistry, APluginBaseLayerAtOneByteASecondMeetsRegistryTimeout) {
  proxy_->add({.method = "GET", .path = kBaseBlobs, .action = FaultAction::trickle_body, .nth = 2,
               .times = FaultRule::kAlways});
  auto env = settings("hostile/trickle-layer");
  env["PLUGIN_REPO"] = registry_->host() + "/hostile/trickle-layer";
  env["KILN_REGISTRY_TIMEOUT"] = "2s";
  const auto start = Clock::now();
  const ProcessResult r = run_plugin(env);
  const auto took = Clock::now() - start;
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_TRUE(contains(r.err, proxy_->host() + ": GET blob base/busybox@sha256:")) << r.err;
  EXPECT_TRUE(contains(r.err, "timed out: the registry_timeout of 2s")) << r.err;
  EXPECT_LT(took, std::chrono::seconds(20));
  EXPECT_EQ(faulted().size(), 1u) << "retried";
  EXPECT_TRUE(tag_absent("hostile/trickle-layer"));
}

// kiln-verify with --registry_timeout 2s and a layer at one byte a second: exit 3 naming the
// registry and the layer, in seconds, the report still written.
TEST_F(HostileRegistry, AVerifyLayerAtOneByteASecondMeetsRegistryTimeout) {
  proxy_->add({.method = "GET", .path = "/v2/hostile/good/blobs/.+", .action = FaultAction::trickle_body, .nth = 2,
               .times = FaultRule::kAlways});
  const fs::path junit = work_->path() / "trickle-layer.xml";
  const auto start = Clock::now();
  const ProcessResult r = verify(proxy_->host() + "/hostile/good:latest", junit, "static",
                                 {{"PLUGIN_REGISTRY_TIMEOUT", "2s"}});
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_TRUE(contains(r.err, proxy_->host() + ": GET blob hostile/good@sha256:")) << r.err;
  EXPECT_TRUE(contains(r.err, "timed out: the registry_timeout of 2s")) << r.err;
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(20));
  EXPECT_EQ(faulted().size(), 1u) << "retried";
  EXPECT_TRUE(fs::exists(junit));
}

// A registry_timeout that is not a positive duration is a usage error naming the setting, for
// both programs, before any request.
TEST_F(HostileRegistry, ABadRegistryTimeoutIsRefused) {
  for (const std::string value : {"soon", "0s", "-5s", "10"}) {
    SCOPED_TRACE(value);
    auto env = settings("hostile/bad-timeout");
    env["PLUGIN_REGISTRY_TIMEOUT"] = value;
    const ProcessResult plugin = run_plugin(env);
    EXPECT_EQ(plugin.exit_code, 2) << plugin.err;
    EXPECT_TRUE(contains(plugin.err, "setting registry_timeout: '" + value + "'")) << plugin.err;
    const ProcessResult verified = verify(proxy_->host() + "/hostile/good:latest", work_->path() / "bad-timeout.xml",
                                          "static", {{"KILN_REGISTRY_TIMEOUT", value}});
    EXPECT_EQ(verified.exit_code, 2) << verified.err;
    EXPECT_TRUE(contains(verified.err, "setting registry_timeout: '" + value + "'")) << verified.err;
  }
  EXPECT_TRUE(proxy_->log().empty()) << "a request went out";
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
