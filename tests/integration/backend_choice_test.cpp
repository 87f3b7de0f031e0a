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
  std::string read(const fs::path& p) const {
    std::ifstream in(p);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

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

TEST_F(BackendChoice, ExecutorOnlyOutputGoesToKaniko) {
  const ProcessResult r = build("FROM scratch\nCOPY main /main\n", {{"PLUGIN_TAR_PATH", (work_.path() / "image.tar").string()}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("with kaniko (not natively: tar_path is written by the executor)"), std::string::npos) << r.err;
  EXPECT_NE(read(record() / "argv").find("--tar-path=" + (work_.path() / "image.tar").string() + "\n"), std::string::npos);
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
  const std::string argv = read(record() / "argv");
  EXPECT_NE(argv.find("--destination=" + registry_.host() + "/team/app:1.0\n"), std::string::npos) << argv;
  EXPECT_NE(argv.find("--context=dir://" + context().string() + "\n"), std::string::npos) << argv;
  EXPECT_NE(argv.find("--build-arg=A=1\n"), std::string::npos) << argv;
  EXPECT_NE(argv.find("--insecure\n"), std::string::npos) << argv;
  const oci::Json config = oci::Json::parse(read(record() / "config.json"));
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
  EXPECT_EQ(read(record() / "Dockerfile"),
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

}  // namespace kiln::testing
