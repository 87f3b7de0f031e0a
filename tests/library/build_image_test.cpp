// build_image() against a real docker-registry on loopback: the image is the one kiln-plugin
// builds from the same inputs (same digest), progress names each step, and a cancelled build
// stops where it is and moves no tag, also when the cancel comes in the middle of a layer.
#include <gtest/gtest.h>
#include <kiln/kiln.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "core/temp_dir.h"
#include "oci/json.h"
#include "tests/support/busybox_image.h"
#include "tests/support/local_registry.h"
#include "tests/support/tools.h"

namespace kiln::testing {
namespace {

namespace fs = std::filesystem;
constexpr std::int64_t kEpoch = 1700000000;  // 2023-11-14T22:13:20Z

class LibraryBuild : public ::testing::Test {
 protected:
  void SetUp() override {
    client_ = registry_.client();
    base_digest_ = push_busybox_base(*client_, {.repository = "base/busybox", .tag = "1"}).to_string();
  }

  std::string ref(const std::string& repository_and_tag) const { return registry_.host() + "/" + repository_and_tag; }

  BuildRequest request(const std::string& target) const {
    BuildRequest r;
    r.base = ref("base/busybox:1");
    r.binary = KILN_HELLO_BINARY;
    r.targets = {ref(target)};
    r.registry.insecure = true;
    r.source_date_epoch = kEpoch;
    return r;
  }

  // kiln-plugin's digest for the same build, its settings as a CI step gives them.
  std::string plugin_digest(std::map<std::string, std::string> env) const {
    env["PLUGIN_INSECURE"] = "true";
    env["PLUGIN_LAYER_CACHE_DIR"] = (work_.path() / "plugin-cache").string();
    env["DOCKER_CONFIG"] = work_.path().string();
    env["SOURCE_DATE_EPOCH"] = std::to_string(kEpoch);
    const ProcessResult r = run_plugin(env);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return digest_in(r.out);
  }

  bool tagged(const std::string& repository, const std::string& tag) const {
    return client_->head_manifest(repository, tag).has_value();
  }

  // Upload sessions the registry still holds open for `repository`. A session's directory holds
  // its `startedat` and `data` files until it is cancelled or committed; docker-registry leaves
  // the empty `hashstates` of a cancelled one behind, which is not a session.
  int open_uploads(const std::string& repository) const {
    const fs::path uploads = registry_.dir() / "data/docker/registry/v2/repositories" / repository / "_uploads";
    std::error_code ec;
    int n = 0;
    for (auto it = fs::directory_iterator(uploads, ec); !ec && it != fs::directory_iterator(); ++it)
      if (fs::exists(it->path() / "startedat") || fs::exists(it->path() / "data")) ++n;
    return n;
  }

  fs::path random_file(const std::string& name, std::size_t bytes) const {
    std::mt19937_64 random(42);
    std::string data(bytes, '\0');
    for (std::size_t i = 0; i + 8 <= bytes; i += 8) {
      const std::uint64_t v = random();
      std::memcpy(&data[i], &v, 8);
    }
    const fs::path path = work_.path() / name;
    std::ofstream(path, std::ios::binary) << data;
    return path;
  }

  LocalRegistry registry_;
  std::unique_ptr<oci::RegistryClient> client_;
  std::string base_digest_;
  TempDir work_{"kiln-library-build"};
};

TEST_F(LibraryBuild, TheImageIsTheOneKilnPluginBuildsFromTheSameInputs) {
  const BuildResult built = build_image(request("lib/app:v1"));
  EXPECT_EQ(built.references, std::vector<std::string>{ref("lib/app:v1")});
  EXPECT_EQ(built.layers_uploaded, 1);
  const std::string from_plugin = plugin_digest({{"PLUGIN_REPO", ref("cli/app")},
                                                 {"PLUGIN_TAGS", "v1"},
                                                 {"PLUGIN_BASE_IMAGE", ref("base/busybox:1")},
                                                 {"PLUGIN_BINARY", KILN_HELLO_BINARY}});
  EXPECT_EQ(built.digest, from_plugin);

  // The seed's demo image: the binary at /usr/local/app/main, its WORKDIR and ENTRYPOINT.
  const oci::Json image = oci::Json::parse(run_ok({"skopeo", "inspect", "--tls-verify=false", "--config",
                                                   "docker://" + ref("lib/app:v1")}));
  EXPECT_EQ(image["config"]["WorkingDir"], "/usr/local/app");
  EXPECT_EQ(image["config"]["Entrypoint"], oci::Json::array({"/usr/local/app/main"}));
  EXPECT_EQ(image["config"]["Labels"]["org.opencontainers.image.created"], "2023-11-14T22:13:20Z");
}

TEST_F(LibraryBuild, ADockerfileImageIsTheOneKilnPluginBuildsFromTheSameInputs) {
  const fs::path context = work_.path() / "context";
  fs::create_directories(context);
  fs::copy_file(KILN_HELLO_BINARY, context / "hello");
  std::ofstream(context / "Dockerfile") << "ARG BASE\nFROM ${BASE}\nENV GREETING=hello\nWORKDIR /usr/local/app\n"
                                           "COPY hello /usr/local/app/main\nENTRYPOINT [\"/usr/local/app/main\"]\n";
  BuildRequest r = request("lib/dockerfile:v1");
  r.base.clear();
  r.binary.clear();
  r.dockerfile = context / "Dockerfile";
  r.build_args = {{"BASE", ref("base/busybox:1")}};
  const BuildResult built = build_image(r);
  const std::string from_plugin = plugin_digest({{"PLUGIN_REPO", ref("cli/dockerfile")},
                                                 {"PLUGIN_TAGS", "v1"},
                                                 {"PLUGIN_DOCKERFILE", (context / "Dockerfile").string()},
                                                 {"PLUGIN_CONTEXT", context.string()},
                                                 {"PLUGIN_BUILD_ARGS", "BASE=" + ref("base/busybox:1")},
                                                 {"PLUGIN_BACKEND", "native"}});
  EXPECT_EQ(built.digest, from_plugin);
}

TEST_F(LibraryBuild, ProgressNamesEachStepInOrder) {
  BuildRequest r = request("lib/progress:v1");
  r.targets.push_back(ref("lib/progress:latest"));
  r.targets.push_back(ref("lib/other:v2"));
  std::vector<ProgressEvent> events;
  r.progress = [&](const ProgressEvent& e) { events.push_back(e); };
  const BuildResult built = build_image(r);
  EXPECT_EQ(built.references, r.targets);

  ASSERT_GE(events.size(), 6u);
  EXPECT_EQ(events[0].kind, ProgressEvent::Kind::base_resolved);
  EXPECT_EQ(events[0].subject, ref("base/busybox:1"));
  EXPECT_EQ(events[0].digest, base_digest_);
  std::size_t i = 1;
  const auto size = static_cast<std::int64_t>(fs::file_size(KILN_HELLO_BINARY));
  for (std::int64_t read = 0; i < events.size() && events[i].kind == ProgressEvent::Kind::layer_progress; ++i) {
    EXPECT_EQ(events[i].total, size);
    EXPECT_EQ(events[i].bytes, read) << "one event before each MiB of the binary";
    read += 1 << 20;
  }
  EXPECT_GT(i, 1u) << "no layer_progress event";
  ASSERT_EQ(events.size(), i + 4);
  EXPECT_EQ(events[i].kind, ProgressEvent::Kind::layer_stored);
  EXPECT_EQ(events[i].subject, "linux/amd64");
  EXPECT_TRUE(events[i].uploaded);
  EXPECT_TRUE(events[i].digest.starts_with("sha256:"));
  EXPECT_GT(events[i].bytes, 0);
  for (int t = 0; t < 3; ++t) {
    EXPECT_EQ(events[i + 1 + t].kind, ProgressEvent::Kind::reference_pushed);
    EXPECT_EQ(events[i + 1 + t].subject, r.targets[t]);
    EXPECT_EQ(events[i + 1 + t].digest, built.digest);
  }
}

// A 24 MiB layer, cancelled after its second MiB: writing stops there (no further progress),
// the streamed upload's session is cancelled, and the tag does not exist.
TEST_F(LibraryBuild, CancellingInTheMiddleOfALayerStopsItAndTagsNothing) {
  BuildRequest r = request("lib/big:v1");
  r.binary = random_file("big", 24u << 20);
  CancellationToken cancel;
  r.cancellation = cancel;
  int progress_after_cancel = 0;
  r.progress = [&](const ProgressEvent& e) {
    if (cancel.cancelled()) ++progress_after_cancel;
    if (e.kind == ProgressEvent::Kind::layer_progress && e.bytes >= (2 << 20)) cancel.cancel();
  };
  try {
    build_image(r);
    ADD_FAILURE() << "the build was not cancelled";
  } catch (const Cancelled& e) {
    EXPECT_EQ(e.kind(), ErrorKind::cancelled);
    EXPECT_NE(std::string(e.what()).find("writing a layer"), std::string::npos) << e.what();
  }
  EXPECT_EQ(progress_after_cancel, 0);
  EXPECT_FALSE(tagged("lib/big", "v1"));
  EXPECT_EQ(open_uploads("lib/big"), 0) << "the streamed upload was left open";
}

// Cancelled once the layer is stored: no target gets its tag, and a tag that named an earlier
// image still names it.
TEST_F(LibraryBuild, CancellingBeforeTheTagsMoveLeavesEveryTagWhereItWas) {
  BuildRequest earlier = request("lib/tags:v1");
  earlier.source_date_epoch = kEpoch - 1;
  const std::string old_digest = build_image(earlier).digest;

  BuildRequest r = request("lib/tags:v1");
  r.targets.push_back(ref("lib/elsewhere:v1"));
  CancellationToken cancel;
  r.cancellation = cancel;
  r.progress = [&](const ProgressEvent& e) {
    if (e.kind == ProgressEvent::Kind::layer_stored) cancel.cancel();
  };
  EXPECT_THROW(build_image(r), Cancelled);
  EXPECT_EQ(client_->head_manifest("lib/tags", "v1").value().to_string(), old_digest);
  EXPECT_FALSE(tagged("lib/elsewhere", "v1"));
}

TEST_F(LibraryBuild, AProgressCallbackThatThrowsCancelsTheBuild) {
  BuildRequest r = request("lib/throws:v1");
  r.progress = [](const ProgressEvent& e) {
    if (e.kind == ProgressEvent::Kind::layer_stored) throw std::runtime_error("the progress bar fell over");
  };
  try {
    build_image(r);
    ADD_FAILURE() << "the build was not cancelled";
  } catch (const Cancelled& e) {
    EXPECT_NE(std::string(e.what()).find("the progress callback threw: the progress bar fell over"), std::string::npos)
        << e.what();
  }
  EXPECT_FALSE(tagged("lib/throws", "v1"));
}

TEST_F(LibraryBuild, AnUnchangedRebuildWithALayerCacheSendsNoLayer) {
  BuildRequest r = request("lib/cached:v1");
  r.layer_cache_dir = work_.path() / "cache";
  const BuildResult first = build_image(r);
  const BuildResult second = build_image(r);
  EXPECT_EQ(first.layers_uploaded, 1);
  EXPECT_EQ(second.layers_uploaded, 0);
  EXPECT_EQ(second.digest, first.digest);
}

// A registry that refuses the credentials: a RegistryError with the status, naming the
// registry, never quoting the password.
TEST(LibraryBuildAuth, RefusedCredentialsAreARegistryErrorWithoutThePassword) {
  LocalRegistry registry(RegistryMode::htpasswd_tls);
  push_busybox_base(*registry.client(), {.repository = "base/busybox", .tag = "1"});
  BuildRequest r;
  r.base = registry.host() + "/base/busybox:1";
  r.binary = KILN_HELLO_BINARY;
  r.targets = {registry.host() + "/team/app:v1"};
  r.registry.ca_file = registry.ca_file();
  const std::string wrong = "not-" + registry.password();
  r.registry.credentials = {{.registry = registry.host(), .username = registry.username(), .password = wrong}};
  r.registry.retries = 0;
  try {
    build_image(r);
    ADD_FAILURE() << "no error";
  } catch (const RegistryError& e) {
    EXPECT_EQ(e.status(), 401);
    EXPECT_EQ(e.kind(), ErrorKind::registry);
    EXPECT_NE(std::string(e.what()).find(registry.host()), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).find(wrong), std::string::npos) << e.what();
  }
  // With the right password it pushes.
  r.registry.credentials[0].password = registry.password();
  EXPECT_TRUE(build_image(r).digest.starts_with("sha256:"));
}

}  // namespace
}  // namespace kiln::testing
