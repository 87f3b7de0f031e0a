// kiln-plugin choosing its backend, end to end: a RUN-less Dockerfile is built natively into
// a real docker-registry; anything else goes to the Kaniko executor, here a STAND-IN KANIKO
// EXECUTOR (a shell script written by the test: there is no Kaniko on these machines) that
// records its argv and the Dockerfile it was given, writes the digest file as the executor
// documents, and exits with the code the test chooses.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/temp_dir.h"
#include "oci/credentials/credential.h"
#include "oci/json.h"
#include "oci/registry/client.h"
#include "tests/support/busybox_image.h"
#include "tests/support/files.h"
#include "tests/support/local_registry.h"
#include "tests/support/tools.h"

namespace kiln::testing {
namespace {
namespace fs = std::filesystem;

constexpr const char* kStandInDigest = "sha256:1111111111111111111111111111111111111111111111111111111111111111";

class BackendChoice : public ::testing::Test {
 protected:
  void SetUp() override {
    oci::RegistryClient client(registry_.host(), std::make_shared<oci::AnonymousKeychain>(),
                               oci::RegistryOptions{.insecure = true});
    push_busybox_base(client, {.repository = "base/busybox", .tag = "1"});
    fs::create_directories(context());
    fs::create_directories(record());
    fs::create_directories(work_.path() / "docker");
    fs::copy_file(KILN_HELLO_BINARY, context() / "main");
    // The stand-in kaniko executor.
    std::ofstream(executor()) << "#!/bin/sh\n"
                                 "for a in \"$@\"; do echo \"$a\" >> \"$STANDIN_RECORD/argv\"; done\n"
                                 "for a in \"$@\"; do case \"$a\" in\n"
                                 "  --dockerfile=*) cp \"${a#--dockerfile=}\" \"$STANDIN_RECORD/Dockerfile\" ;;\n"
                                 "  --digest-file=*) printf '%s' \"$STANDIN_DIGEST\" > \"${a#--digest-file=}\" ;;\n"
                                 "esac; done\n"
                                 "cp \"$DOCKER_CONFIG/config.json\" \"$STANDIN_RECORD/config.json\"\n"
                                 "echo 'INFO[0001] stand-in executor ran'\n"
                                 "exit \"${STANDIN_EXIT:-0}\"\n";
    fs::permissions(executor(), fs::perms(0755));
  }

  fs::path context() const { return work_.path() / "context"; }
  fs::path record() const { return work_.path() / "record"; }
  fs::path executor() const { return work_.path() / "executor"; }

  ProcessResult build(const std::string& dockerfile, std::map<std::string, std::string> extra = {}) {
    if (!dockerfile.empty()) std::ofstream(context() / "Dockerfile") << dockerfile;
    std::map<std::string, std::string> env{{"PLUGIN_REPO", registry_.host() + "/team/app"},
                                           {"PLUGIN_TAGS", "1.0"},
                                           {"PLUGIN_CONTEXT", context().string()},
                                           {"PLUGIN_DOCKERFILE", (context() / "Dockerfile").string()},
                                           {"PLUGIN_INSECURE", "true"},
                                           {"PLUGIN_EXECUTOR", executor().string()},
                                           {"PLUGIN_LAYER_CACHE_DIR", "none"},
                                           {"DOCKER_CONFIG", (work_.path() / "docker").string()},
                                           {"STANDIN_RECORD", record().string()},
                                           {"STANDIN_DIGEST", kStandInDigest}};
    for (auto& [k, v] : extra) env[k] = v;
    return run_plugin(env);
  }

  LocalRegistry registry_;
  TempDir work_{"kiln-backend-choice"};
};

}  // namespace

TEST_F(BackendChoice, RunLessDockerfileIsBuiltNatively) {
  const std::string base = registry_.host() + "/base/busybox:1";
  const ProcessResult r = build("FROM " + base + "\nWORKDIR /usr/local/app\nCOPY main ./main\nENTRYPOINT [\"./main\"]\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("natively (the Dockerfile has no RUN)"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(record() / "argv")) << "the executor must not run";
  const oci::Json config = oci::Json::parse(run_ok({"skopeo", "inspect", "--config", "--tls-verify=false",
                                                    "docker://" + registry_.host() + "/team/app:1.0"}));
  EXPECT_EQ(config["config"]["WorkingDir"], "/usr/local/app");
  EXPECT_EQ(config["config"]["Entrypoint"], oci::Json::array({"./main"}));
}

TEST_F(BackendChoice, TarPathStaysNative) {
  const fs::path tar = work_.path() / "image.tar";
  const ProcessResult r = build("FROM scratch\nCOPY main /main\n", {{"PLUGIN_TAR_PATH", tar.string()}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("natively (the Dockerfile has no RUN)"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(record() / "argv")) << "the executor must not run";
  EXPECT_TRUE(fs::is_regular_file(tar));
  run_ok({"skopeo", "inspect", "--tls-verify=false", "docker://" + registry_.host() + "/team/app:1.0"});
}

TEST_F(BackendChoice, KanikoGetsEveryDestination) {
  const std::string a = registry_.host() + "/one/app:1", b = "ghcr.io/team/app:2";
  const ProcessResult r = build("FROM alpine:3.19\nRUN true\n", {{"PLUGIN_DESTINATIONS", a + "\n" + b}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string argv = read_file(record() / "argv");
  EXPECT_NE(argv.find("--destination=" + a + "\n"), std::string::npos) << argv;
  EXPECT_NE(argv.find("--destination=" + b + "\n"), std::string::npos) << argv;
  EXPECT_EQ(argv.find("team/app:1.0"), std::string::npos) << "destinations override repo and tags: " << argv;
}

TEST_F(BackendChoice, KanikoDryRunTarballKeepsItsTags) {
  const fs::path tar = work_.path() / "image.tar";
  const ProcessResult r = build("FROM alpine:3.19\nRUN true\n",
                                {{"PLUGIN_DRY_RUN", "true"}, {"PLUGIN_TAR_PATH", tar.string()}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string argv = read_file(record() / "argv");
  EXPECT_NE(argv.find("--no-push\n"), std::string::npos) << argv;
  EXPECT_NE(argv.find("--tar-path=" + tar.string() + "\n"), std::string::npos) << argv;
  EXPECT_NE(argv.find("--destination=" + registry_.host() + "/team/app:1.0\n"), std::string::npos) << argv;
}

TEST_F(BackendChoice, RunGoesToKanikoAndSaysWhy) {
  const ProcessResult r = build("FROM alpine:3.19\nRUN apk add curl\n",
                                {{"PLUGIN_BUILD_ARGS", "A=1"}, {"PLUGIN_USERNAME", "ci"}, {"PLUGIN_PASSWORD", "s3cret-pass"}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("with kaniko (not natively: " + (context() / "Dockerfile").string() + ":2: RUN needs a container"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("stand-in executor ran"), std::string::npos) << "output streamed";
  EXPECT_NE(r.out.find(std::string("digest ") + kStandInDigest), std::string::npos) << r.out;
  const std::string argv = read_file(record() / "argv");
  EXPECT_NE(argv.find("--destination=" + registry_.host() + "/team/app:1.0\n"), std::string::npos) << argv;
  EXPECT_NE(argv.find("--context=dir://" + context().string() + "\n"), std::string::npos) << argv;
  EXPECT_NE(argv.find("--build-arg=A=1\n"), std::string::npos) << argv;
  EXPECT_NE(argv.find("--insecure\n"), std::string::npos) << argv;
  const oci::Json config = oci::Json::parse(read_file(record() / "config.json"));
  EXPECT_TRUE(config["auths"].contains(registry_.host())) << config.dump();
  EXPECT_EQ(r.err.find("s3cret-pass"), std::string::npos) << "the password is never printed";
  EXPECT_EQ(argv.find("s3cret-pass"), std::string::npos) << "nor passed on the command line";
}

TEST_F(BackendChoice, ExecutorExitCodeIsPassedThrough) {
  const ProcessResult r = build("FROM alpine:3.19\nRUN false\n", {{"STANDIN_EXIT", "2"}});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("kaniko executor exited 2"), std::string::npos) << r.err;
  EXPECT_EQ(r.out.find("digest"), std::string::npos) << "a failed run's digest file is not trusted";
}

TEST_F(BackendChoice, BinaryThroughKanikoUsesTheTemplate) {
  const ProcessResult r = build("", {{"PLUGIN_DOCKERFILE", ""},
                                     {"PLUGIN_BINARY", (context() / "main").string()},
                                     {"PLUGIN_BASE_IMAGE", "debian:bookworm-slim"},
                                     {"PLUGIN_BACKEND", "kaniko"}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(read_file(record() / "Dockerfile"),
            "FROM docker.io/library/debian:bookworm-slim\nWORKDIR /usr/local/app\nCOPY main /usr/local/app/main\n"
            "ENTRYPOINT [\"/usr/local/app/main\"]\n");
}

TEST_F(BackendChoice, NativeBackendRefusesWhatItCannotBuild) {
  const ProcessResult r = build("FROM alpine:3.19\nRUN true\n", {{"PLUGIN_BACKEND", "native"}});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("setting backend: native cannot build this: " + (context() / "Dockerfile").string() +
                       ":2: RUN needs a container (Kaniko)"),
            std::string::npos)
      << r.err;
}

TEST_F(BackendChoice, BrokenDockerfileNamesFileAndLine) {
  const ProcessResult r = build("FROM scratch\nCOPY a /a\nRUNN x\n");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find((context() / "Dockerfile").string() + ":3: unknown instruction: RUNN"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(record() / "argv"));
}

// Labels and every output file on the native path: the CI context's OCI labels (the token in
// the repository URL stripped), custom_labels over a Dockerfile LABEL, files written by kiln.
TEST_F(BackendChoice, NativeBuildWritesOutputsAndLabels) {
  const std::string base = registry_.host() + "/base/busybox:1";
  const fs::path out = work_.path() / "out";
  fs::create_directories(out);
  std::ofstream(out / "drone-output") << "EARLIER=1\n";
  const ProcessResult r = build("FROM " + base + "\nLABEL team=old keep=1\nCOPY main /main\n",
                                {{"DRONE", "true"},
                                 {"DRONE_COMMIT_SHA", "abc123"},
                                 {"DRONE_REPO_LINK", "https://ci:tok-s3cret@git.example/o/r"},
                                 {"SOURCE_DATE_EPOCH", "1700000000"},
                                 {"PLUGIN_TAGS", "1.0,latest"},
                                 {"PLUGIN_CUSTOM_LABELS", "team=kiln"},
                                 {"PLUGIN_DIGEST_FILE", (out / "digest").string()},
                                 {"PLUGIN_IMAGE_NAME_WITH_DIGEST_FILE", (out / "names").string()},
                                 {"PLUGIN_IMAGE_NAME_TAG_WITH_DIGEST_FILE", (out / "tags").string()},
                                 {"PLUGIN_ARTIFACT_FILE", (out / "artifact.json").string()},
                                 {"PLUGIN_DOTENV_FILE", (out / "build.env").string()},
                                 {"DRONE_OUTPUT", (out / "drone-output").string()}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string repo = registry_.host() + "/team/app";
  const std::string digest = read_file(out / "digest");
  ASSERT_TRUE(digest.starts_with("sha256:")) << digest;
  EXPECT_EQ(oci::Json::parse(run_ok({"skopeo", "inspect", "--tls-verify=false", "docker://" + repo + ":1.0"}))["Digest"],
            digest);
  EXPECT_EQ(read_file(out / "names"), repo + "@" + digest + "\n" + repo + "@" + digest + "\n");
  EXPECT_EQ(read_file(out / "tags"), repo + ":1.0@" + digest + "\n" + repo + ":latest@" + digest + "\n");
  EXPECT_EQ(read_file(out / "artifact.json"),
            R"({"kind":"docker/v1","data":{"registryType":"Docker","registryUrl":"https://)" + registry_.host() +
                R"(/","images":[{"image":")" + repo + ":1.0\",\"digest\":\"" + digest + R"("},{"image":")" + repo +
                ":latest\",\"digest\":\"" + digest + "\"}]}}");
  EXPECT_EQ(read_file(out / "build.env"),
            "IMAGE_DIGEST=" + digest + "\nIMAGE_REF=" + repo + ":1.0@" + digest + "\nIMAGE_TAGS=1.0,latest\n");
  EXPECT_EQ(read_file(out / "drone-output"),
            "EARLIER=1\ndigest=" + digest + "\nIMAGE_DIGEST=" + digest + "\nIMAGE_REF=" + repo + ":1.0@" + digest + "\n");
  const oci::Json config = oci::Json::parse(run_ok({"skopeo", "inspect", "--config", "--tls-verify=false",
                                                    "docker://" + repo + ":1.0"}));
  EXPECT_EQ(config["config"]["Labels"],
            (oci::Json{{"keep", "1"},
                       {"org.opencontainers.image.created", "2023-11-14T22:13:20Z"},
                       {"org.opencontainers.image.revision", "abc123"},
                       {"org.opencontainers.image.source", "https://git.example/o/r"},
                       {"org.opencontainers.image.url", "https://git.example/o/r"},
                       {"team", "kiln"}}))
      << config.dump();
  EXPECT_NE(r.err.find("kiln summary:\n  pushed   " + repo + ":1.0@" + digest), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("  backend  native\n"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("section_start"), std::string::npos) << "GitLab sections only on GitLab";
}

// Drone's runner sets DRONE_CARD_PATH on every step; kiln writes plugins/docker's card there,
// read back from the registry, instead of warning that the setting has no effect.
TEST_F(BackendChoice, NativeBuildWritesTheDroneCard) {
  const std::string base = registry_.host() + "/base/busybox:1";
  const fs::path card = work_.path() / "card.json";
  const ProcessResult r = build("FROM " + base + "\nCOPY main /main\n",
                                {{"DRONE", "true"}, {"DRONE_CARD_PATH", card.string()}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err.find("card_path"), std::string::npos) << r.err;
  const std::string repo = registry_.host() + "/team/app";
  const oci::Json written = oci::Json::parse(read_file(card));
  EXPECT_EQ(written["schema"], "https://drone-plugins.github.io/drone-docker/card.json");
  const oci::Json manifest = oci::Json::parse(
      run_ok({"skopeo", "inspect", "--raw", "--tls-verify=false", "docker://" + repo + ":1.0"}));
  EXPECT_EQ(written["data"]["Id"], manifest["config"]["digest"]);
  EXPECT_EQ(written["data"]["RepoTags"], oci::Json::array({repo + ":1.0"}));
  const oci::Json config = oci::Json::parse(
      run_ok({"skopeo", "inspect", "--config", "--tls-verify=false", "docker://" + repo + ":1.0"}));
  EXPECT_EQ(written["data"]["Architecture"], config["architecture"]);
  EXPECT_EQ(written["data"]["Created"], config["created"]);
  std::int64_t size = 0;
  for (const auto& layer : manifest["layers"]) size += layer["size"].get<std::int64_t>();
  EXPECT_EQ(written["data"]["Size"], size);
}

// plugins/docker prints "Could not create adaptive card" and succeeds; so does kiln.
TEST_F(BackendChoice, ACardThatCannotBeReadDoesNotFailTheBuild) {
  const ProcessResult r = build("FROM alpine:3.19\nRUN true\n", {{"DRONE_CARD_PATH", (work_.path() / "card.json").string()}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("could not write the Drone card"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(work_.path() / "card.json"));
}

// The executor gets the labels as --label and is not asked for its own name files: kiln writes
// them after the executor exits 0.
TEST_F(BackendChoice, KanikoGetsLabelsAndKilnWritesTheOutputs) {
  const fs::path out = work_.path() / "out";
  const ProcessResult r = build("FROM alpine:3.19\nRUN true\n",
                                {{"DRONE", "true"},
                                 {"DRONE_COMMIT_SHA", "abc123"},
                                 {"DRONE_REPO_LINK", "https://git.example/o/r"},
                                 {"SOURCE_DATE_EPOCH", "0"},
                                 {"PLUGIN_CUSTOM_LABELS", "team=kiln"},
                                 {"PLUGIN_IMAGE_NAME_TAG_WITH_DIGEST_FILE", (work_.path() / "tags").string()},
                                 {"PLUGIN_DOTENV_FILE", (work_.path() / "build.env").string()}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string argv = read_file(record() / "argv");
  for (const std::string label : {"org.opencontainers.image.created=1970-01-01T00:00:00Z",
                                  "org.opencontainers.image.revision=abc123",
                                  "org.opencontainers.image.source=https://git.example/o/r", "team=kiln"})
    EXPECT_NE(argv.find("--label=" + label + "\n"), std::string::npos) << label << "\n" << argv;
  EXPECT_EQ(argv.find("--image-name"), std::string::npos) << argv;
  const std::string repo = registry_.host() + "/team/app";
  EXPECT_EQ(read_file(work_.path() / "tags"), repo + ":1.0@" + kStandInDigest + "\n");
  EXPECT_EQ(read_file(work_.path() / "build.env"), std::string("IMAGE_DIGEST=") + kStandInDigest + "\nIMAGE_REF=" + repo +
                                                  ":1.0@" + kStandInDigest + "\nIMAGE_TAGS=1.0\n");
  EXPECT_NE(r.err.find("  backend  kaniko\n"), std::string::npos) << r.err;
}

// The executor stamps the build time, so without SOURCE_DATE_EPOCH so does the created label.
TEST_F(BackendChoice, KanikoCreatedLabelIsTheBuildTime) {
  const ProcessResult r = build("FROM alpine:3.19\nRUN true\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string argv = read_file(record() / "argv");
  EXPECT_NE(argv.find("--label=org.opencontainers.image.created=20"), std::string::npos) << argv;
}

TEST_F(BackendChoice, FailedBuildWritesNoOutputs) {
  const ProcessResult r = build("FROM alpine:3.19\nRUN false\n",
                                {{"STANDIN_EXIT", "1"}, {"PLUGIN_DOTENV_FILE", (work_.path() / "build.env").string()}});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_FALSE(fs::exists(work_.path() / "build.env"));
}

TEST_F(BackendChoice, GitlabGetsACollapsibleSection) {
  const std::string base = registry_.host() + "/base/busybox:1";
  const ProcessResult r = build("FROM " + base + "\nCOPY main /main\n", {{"GITLAB_CI", "true"}, {"CI", "true"}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto start = r.err.find("\x1b[0Ksection_start:");
  const auto end = r.err.find("\x1b[0Ksection_end:");
  ASSERT_NE(start, std::string::npos) << r.err;
  ASSERT_NE(end, std::string::npos) << r.err;
  EXPECT_LT(start, end);
  EXPECT_NE(r.err.find(":kiln_build[collapsed=true]\r\x1b[0KBuilding " + registry_.host() + "/team/app:1.0\n"),
            std::string::npos)
      << r.err;
  EXPECT_LT(end, r.err.find("kiln summary:")) << "the summary stays visible, outside the section";
}

}  // namespace kiln::testing
