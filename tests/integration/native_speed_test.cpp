// What a fast native path means, measured in requests rather than seconds: kiln-plugin
// (the real executable) builds through tests/support/fault_proxy.h, whose log shows every
// request. An unchanged rebuild proves the image is there with four requests and sends nothing;
// base layers in the same registry are mounted, never downloaded; a base in another registry
// comes across still compressed; a zstd build is the same image on every run.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

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

class NativeSpeed : public ::testing::Test {
 protected:
  void SetUp() override {
    oci::RegistryClient client(registry_.host(), std::make_shared<oci::AnonymousKeychain>(),
                               oci::RegistryOptions{.insecure = true});
    push_busybox_base(client, {.repository = "base/busybox", .tag = "1"});
    fs::create_directories(work_.path() / "docker");
  }

  std::map<std::string, std::string> settings(const std::string& repo) const {
    return {{"PLUGIN_REPO", proxy_.host() + "/" + repo},
            {"PLUGIN_BASE_IMAGE", proxy_.host() + "/base/busybox:1"},
            {"PLUGIN_BINARY", KILN_HELLO_BINARY},
            {"PLUGIN_INSECURE", "true"},
            {"SOURCE_DATE_EPOCH", "1700000000"},
            {"PLUGIN_LAYER_CACHE_DIR", (work_.path() / "layer-cache").string()},
            {"DOCKER_CONFIG", (work_.path() / "docker").string()}};
  }

  std::string build(const std::map<std::string, std::string>& env) const {
    const ProcessResult r = run_plugin(env);
    EXPECT_EQ(r.exit_code, 0) << r.err << r.out;
    return r.out + r.err;
  }

  std::string log_text() const {
    std::string text;
    for (const ProxiedRequest& r : proxy_.log())
      text += fmt::format("  {} {} -> {}\n", r.method, r.path, r.status);
    return text;
  }

  std::vector<std::string> requests() const {
    std::vector<std::string> out;
    for (const ProxiedRequest& r : proxy_.log()) out.push_back(r.method + " " + r.path);
    return out;
  }

  std::vector<std::string> base_layer_digests() const {
    const oci::Json manifest = oci::Json::parse(run_ok({"skopeo", "inspect", "--raw", "--tls-verify=false",
                                                        "docker://" + registry_.host() + "/base/busybox:1"}));
    std::vector<std::string> digests;
    for (const oci::Json& layer : manifest["layers"]) digests.push_back(layer["digest"]);
    return digests;
  }

  LocalRegistry registry_;
  FaultProxy proxy_{registry_.host()};
  TempDir work_{"kiln-speed-test"};
};

}  // namespace

// The second build of the same inputs into the same tag: the layer cache gives the layer's
// digest, so kiln computes the manifest before any blob request and asks only whether the tag
// names it already. Four requests (ping, base manifest, base config, HEAD of the tag), no
// blob request at all, and the same digest.
TEST_F(NativeSpeed, UnchangedRebuildSendsNothingAndAsksFourQuestions) {
  const std::string first = build(settings("team/app"));
  proxy_.reset();
  const std::string again = build(settings("team/app"));
  EXPECT_EQ(digest_in(again), digest_in(first));
  EXPECT_NE(again.find("nothing pushed"), std::string::npos) << again;
  EXPECT_NE(again.find("0 new layer(s) uploaded"), std::string::npos) << again;
  const std::vector<std::string> expected{"GET /v2/", "GET /v2/base/busybox/manifests/1",
                                          "GET /v2/base/busybox/blobs/" /* config */, "HEAD /v2/team/app/manifests/latest"};
  const std::vector<std::string> seen = requests();
  ASSERT_EQ(seen.size(), expected.size()) << log_text();
  for (std::size_t i = 0; i < seen.size(); ++i) EXPECT_TRUE(seen[i].starts_with(expected[i])) << log_text();
}

// A tag that names another image (here: another SOURCE_DATE_EPOCH earlier) is not skipped:
// kiln asks, finds another digest, pushes, and the tag moves.
TEST_F(NativeSpeed, RebuildIntoATagNamingAnotherImageStillPushesTheManifest) {
  auto older = settings("team/app");
  older["SOURCE_DATE_EPOCH"] = "1600000000";
  const std::string before = digest_in(build(older));
  build(settings("other/app"));  // fills the layer cache for the current inputs
  proxy_.reset();
  const std::string after = digest_in(build(settings("team/app")));
  EXPECT_NE(after, before);
  int tag_heads = 0, manifest_puts = 0;
  for (const ProxiedRequest& r : proxy_.log()) {
    tag_heads += r.method == "HEAD" && r.path == "/v2/team/app/manifests/latest";
    manifest_puts += r.method == "PUT" && r.path == "/v2/team/app/manifests/latest";
  }
  EXPECT_EQ(tag_heads, 1) << log_text();
  EXPECT_EQ(manifest_puts, 1) << log_text();
  const oci::Json pushed = oci::Json::parse(run_ok({"skopeo", "inspect", "--tls-verify=false",
                                                    "docker://" + registry_.host() + "/team/app:latest"}));
  EXPECT_EQ(pushed["Digest"], after);
}

// Base and target in one registry: every base layer is mounted (or already there), none is
// downloaded or uploaded.
TEST_F(NativeSpeed, BaseLayersInTheSameRegistryAreNeverDownloaded) {
  build(settings("team/app"));
  for (const std::string& digest : base_layer_digests())
    for (const ProxiedRequest& r : proxy_.log()) {
      EXPECT_FALSE(r.method == "GET" && r.path.ends_with(digest)) << "downloaded " << digest << "\n" << log_text();
      EXPECT_FALSE(r.method == "PUT" && r.query.find(digest.substr(7)) != std::string::npos) << log_text();
    }
}

// A base in another registry: each base layer goes across still compressed and streamed (a
// PATCH into the target while the download runs), not downloaded to a file and then uploaded.
TEST_F(NativeSpeed, BaseLayersFromAnotherRegistryAreStreamedAcross) {
  LocalRegistry target;
  FaultProxy target_proxy(target.host());
  auto env = settings("team/app");
  env["PLUGIN_BASE_IMAGE"] = registry_.host() + "/base/busybox:1";
  env["PLUGIN_REPO"] = target_proxy.host() + "/team/app";
  build(env);
  const std::vector<std::string> base_layers = base_layer_digests();
  int patches = 0;
  std::string log;
  for (const ProxiedRequest& r : target_proxy.settled_log()) {
    patches += r.method == "PATCH" && r.status == 202;
    log += fmt::format("  {} {}?{} -> {}\n", r.method, r.path, r.query.substr(0, 90), r.status);
  }
  EXPECT_EQ(patches, static_cast<int>(base_layers.size()) + 1) << "one per base layer, one for the new layer\n" << log;
  const oci::Json manifest = oci::Json::parse(run_ok({"skopeo", "inspect", "--raw", "--tls-verify=false",
                                                      "docker://" + target.host() + "/team/app:latest"}));
  for (std::size_t i = 0; i < base_layers.size(); ++i) EXPECT_EQ(manifest["layers"][i]["digest"], base_layers[i]);
  run_ok({"skopeo", "copy", "--src-tls-verify=false", "docker://" + target.host() + "/team/app:latest",
          "oci:" + (work_.path() / "copied").string() + ":x"});  // re-verifies every digest
}

// A binary rewritten with the same bytes (a fresh checkout, a rebuild that reproduces it): its
// remembered hash no longer applies, so it is hashed again, while compression runs rather than
// before it, and the hash finds the layer the registry has. Nothing is uploaded, the image is
// the same. 32 MiB at gzip level 9 compress for seconds; the hash takes tens of milliseconds.
TEST_F(NativeSpeed, ARewrittenIdenticalBinaryIsFoundByContentAndNotUploaded) {
  const fs::path binary = work_.path() / "main";
  {
    std::ofstream out(binary, std::ios::binary);
    out << read_file(KILN_HELLO_BINARY);  // an ELF header, so the platform check passes
    const std::string filler = read_file("/usr/lib/x86_64-linux-gnu/libcrypto.so.3");  // real machine code
    for (std::size_t written = 0; written < (32u << 20); written += filler.size()) out << filler;
  }
  fs::permissions(binary, fs::perms(0755));
  auto env = settings("team/app");
  env["PLUGIN_BINARY"] = binary.string();
  env["PLUGIN_COMPRESSION_LEVEL"] = "9";
  const std::string first = digest_in(build(env));

  const fs::path copy = work_.path() / "main.new";  // a new inode and ctime, the same bytes
  fs::copy_file(binary, copy);
  fs::rename(copy, binary);
  proxy_.reset();
  const std::string again = build(env);
  EXPECT_EQ(digest_in(again), first);
  EXPECT_NE(again.find("0 new layer(s) uploaded"), std::string::npos) << again;
  const std::vector<ProxiedRequest> log = proxy_.settled_log();  // every status recorded
  int blob_puts = 0;  // the layer, the config and the base layers are all in team/app already
  for (const ProxiedRequest& r : log) blob_puts += r.method == "PUT" && r.path.find("/blobs/uploads/") != std::string::npos;
  EXPECT_EQ(blob_puts, 0) << log_text();
  int opened = 0, cancelled = 0;  // a session opened for the layer is cancelled, not left behind
  for (const ProxiedRequest& r : log) {
    opened += r.method == "POST" && r.path.ends_with("/blobs/uploads/") && r.status == 202;
    cancelled += r.method == "DELETE" && r.path.find("/blobs/uploads/") != std::string::npos && r.status == 204;
  }
  EXPECT_EQ(cancelled, opened) << log_text();
}

// zstd through libzstd's workers: the same digest on every build, whatever the cache.
TEST_F(NativeSpeed, ZstdBuildsAreReproducible) {
  auto env = settings("team/zstd-a");
  env["PLUGIN_COMPRESSION"] = "zstd";
  env["PLUGIN_LAYER_CACHE_DIR"] = "none";
  const std::string first = digest_in(build(env));
  env["PLUGIN_REPO"] = proxy_.host() + "/team/zstd-b";
  EXPECT_EQ(digest_in(build(env)), first);
  EXPECT_FALSE(first.empty());
}

}  // namespace kiln::testing
