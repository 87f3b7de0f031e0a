// Where kiln-plugin puts a natively built image, end to end against real docker-registry
// instances, checked with skopeo and umoci: dry_run into an OCI layout and a docker-archive
// (base layers fetched into it), push_only of either, and `destinations` across repositories
// (mounted) and registries (copied).
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
namespace fs = std::filesystem;
using oci::Json;

class NativeOutputs : public ::testing::Test {
 protected:
  void SetUp() override {
    oci::RegistryClient client(registry_.host(), std::make_shared<oci::AnonymousKeychain>(),
                               oci::RegistryOptions{.insecure = true});
    push_busybox_base(client, {.repository = "base/busybox", .tag = "1"});
    fs::create_directories(context());
    fs::copy_file(KILN_HELLO_BINARY, context() / "main");
    std::ofstream(context() / "Dockerfile") << "FROM " << registry_.host()
                                            << "/base/busybox:1\nCOPY main /usr/local/app/main\n"
                                               "ENTRYPOINT [\"/usr/local/app/main\"]\n";
  }

  fs::path context() const { return work_.path() / "context"; }
  fs::path layout() const { return work_.path() / "layout"; }
  fs::path tarball() const { return work_.path() / "out/image.tar"; }

  // kiln-plugin with an executor that does not exist: running it would fail the build.
  ProcessResult plugin(std::map<std::string, std::string> extra) {
    std::map<std::string, std::string> env{{"PLUGIN_REPO", registry_.host() + "/team/app"},
                                           {"PLUGIN_TAGS", "1.0"},
                                           {"PLUGIN_CONTEXT", context().string()},
                                           {"PLUGIN_DOCKERFILE", (context() / "Dockerfile").string()},
                                           {"PLUGIN_INSECURE", "true"},
                                           {"PLUGIN_EXECUTOR", (work_.path() / "no-executor").string()},
                                           {"PLUGIN_LAYER_CACHE_DIR", "none"}};
    for (auto& [k, v] : extra) {
      if (v.empty()) env.erase(k);  // an empty value removes the default setting
      else env[k] = v;
    }
    return run_plugin(env);
  }

  Json inspect(const std::string& transport) {
    return Json::parse(run_ok({"skopeo", "inspect", "--tls-verify=false", transport}));
  }

  // A dry run writing both files, whose outputs the push_only tests then push.
  std::string dry_run() {
    const ProcessResult r = plugin({{"PLUGIN_DRY_RUN", "true"},
                                    {"PLUGIN_OCI_LAYOUT_PATH", layout().string()},
                                    {"PLUGIN_TAR_PATH", tarball().string()}});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return digest_in(r.out);
  }

  LocalRegistry registry_;
  TempDir work_{"kiln-native-outputs"};
};

TEST_F(NativeOutputs, DryRunWritesLayoutAndTarballNativelyWithoutPushing) {
  const ProcessResult r = plugin({{"PLUGIN_DRY_RUN", "true"},
                                  {"PLUGIN_OCI_LAYOUT_PATH", layout().string()},
                                  {"PLUGIN_TAR_PATH", tarball().string()}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("natively"), std::string::npos) << r.err;
  EXPECT_EQ(r.out.find("pushed "), std::string::npos) << r.out;
  const std::string digest = digest_in(r.out);

  // The layout: skopeo and umoci read it, base layers included.
  EXPECT_EQ(inspect("oci:" + layout().string())["Digest"], digest);
  const fs::path bundle = work_.path() / "bundle";
  run_ok({"umoci", "unpack", "--image", layout().string() + ":1.0", bundle.string()});
  EXPECT_TRUE(fs::is_regular_file(bundle / "rootfs/usr/local/app/main"));
  EXPECT_TRUE(fs::exists(bundle / "rootfs/bin/busybox")) << "the base's layers are in the layout";

  // The tarball: a docker-archive tagged with the destination.
  EXPECT_EQ(inspect("docker-archive:" + tarball().string())["Architecture"], "amd64");
  const Json manifest = Json::parse(run_ok({"tar", "-xOf", tarball().string(), "manifest.json"}));
  EXPECT_EQ(manifest[0]["RepoTags"], Json::array({registry_.host() + "/team/app:1.0"})) << manifest.dump();

  // Nothing was pushed.
  EXPECT_ANY_THROW(run_ok({"skopeo", "inspect", "--tls-verify=false", "docker://" + registry_.host() + "/team/app:1.0"}));
  // And the layout is a usable source for other tools.
  run_ok({"skopeo", "copy", "--dest-tls-verify=false", "oci:" + layout().string(),
          "docker://" + registry_.host() + "/copied/app:1"});
}

TEST_F(NativeOutputs, PushOnlyPushesTheLayoutExactly) {
  const std::string digest = dry_run();
  const ProcessResult r = plugin({{"PLUGIN_PUSH_ONLY", "true"},
                                  {"PLUGIN_OCI_LAYOUT_PATH", layout().string()},
                                  {"PLUGIN_REPO", registry_.host() + "/pushed/app"},
                                  {"PLUGIN_TAGS", "2.0,2"}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(digest_in(r.out), digest);
  for (const char* tag : {"2.0", "2"})
    EXPECT_EQ(inspect("docker://" + registry_.host() + "/pushed/app:" + tag)["Digest"], digest) << tag;
}

TEST_F(NativeOutputs, PushOnlyPushesTheTarball) {
  dry_run();
  const ProcessResult r = plugin({{"PLUGIN_PUSH_ONLY", "true"},
                                  {"PLUGIN_SOURCE_TAR_PATH", tarball().string()},
                                  {"PLUGIN_REPO", registry_.host() + "/fromtar/app"}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json pushed = inspect("docker://" + registry_.host() + "/fromtar/app:1.0");
  EXPECT_EQ(pushed["Digest"], digest_in(r.out));
  // The layers travel as they were (still compressed), so their digests are the layout's.
  EXPECT_EQ(pushed["Layers"], inspect("oci:" + layout().string())["Layers"]);
  const Json config = Json::parse(run_ok({"skopeo", "inspect", "--config", "--tls-verify=false",
                                          "docker://" + registry_.host() + "/fromtar/app:1.0"}));
  EXPECT_EQ(config["config"]["Entrypoint"], Json::array({"/usr/local/app/main"}));
}

TEST_F(NativeOutputs, PushOnlyWithoutASourceIsAUsageError) {
  const ProcessResult r = plugin({{"PLUGIN_PUSH_ONLY", "true"}});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("setting push_only: needs source_tar_path"), std::string::npos) << r.err;
}

TEST_F(NativeOutputs, PushOnlySourceImageCopiesIt) {
  // plugins/docker's push_only + source_image: an image already in a registry, retagged.
  LocalRegistry other;
  const ProcessResult r = plugin({{"PLUGIN_PUSH_ONLY", "true"},
                                  {"PLUGIN_SOURCE_IMAGE", registry_.host() + "/base/busybox:1"},
                                  {"PLUGIN_DESTINATIONS", other.host() + "/mirror/busybox:1," + registry_.host() + "/m/b:2"}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string digest = inspect("docker://" + registry_.host() + "/base/busybox:1")["Digest"].get<std::string>();
  EXPECT_EQ(digest_in(r.out), digest);
  EXPECT_EQ(inspect("docker://" + other.host() + "/mirror/busybox:1")["Digest"], digest);
  EXPECT_EQ(inspect("docker://" + registry_.host() + "/m/b:2")["Digest"], digest);
}

TEST_F(NativeOutputs, DestinationsAcrossRepositoriesAndRegistries) {
  LocalRegistry other;
  const std::string a = registry_.host() + "/one/app:1", b = registry_.host() + "/two/app:2",
                    c = other.host() + "/three/app:3";
  const ProcessResult r = plugin({{"PLUGIN_DESTINATIONS", a + "," + b + "," + c}, {"PLUGIN_REPO", ""}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string digest = digest_in(r.out);
  for (const std::string& ref : {a, b, c}) {
    EXPECT_NE(r.out.find("pushed " + ref + "@" + digest), std::string::npos) << r.out;
    EXPECT_EQ(inspect("docker://" + ref)["Digest"], digest) << ref;
  }
  // repo and tags are overridden: nothing went to team/app.
  EXPECT_ANY_THROW(run_ok({"skopeo", "inspect", "--tls-verify=false", "docker://" + registry_.host() + "/team/app:1.0"}));
  // The other registry got real blobs: umoci unpacks what it serves.
  const fs::path copied = work_.path() / "copied", bundle = work_.path() / "bundle";
  run_ok({"skopeo", "copy", "--src-tls-verify=false", "docker://" + c, "oci:" + copied.string() + ":x"});
  run_ok({"umoci", "unpack", "--image", copied.string() + ":x", bundle.string()});
  EXPECT_TRUE(fs::is_regular_file(bundle / "rootfs/usr/local/app/main"));
}

TEST_F(NativeOutputs, BinaryOnBaseDryRunWritesTheTarball) {
  const ProcessResult r = plugin({{"PLUGIN_DRY_RUN", "true"},
                                  {"PLUGIN_DOCKERFILE", ""},
                                  {"PLUGIN_BINARY", (context() / "main").string()},
                                  {"PLUGIN_BASE_IMAGE", registry_.host() + "/base/busybox:1"},
                                  {"PLUGIN_TAR_PATH", tarball().string()}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(inspect("docker-archive:" + tarball().string())["Architecture"], "amd64");
}

}  // namespace
}  // namespace kiln::testing
