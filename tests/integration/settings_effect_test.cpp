// Settings of the anchors that kiln once accepted without effect, end to end through kiln-plugin:
// env_file, json_key, executor-only settings choosing the backend, native warnings, the
// registries' per-host access natively, the commit's time as the image's, and the executor flags
// against the REAL Kaniko executor (../shared/peers), which fails on a flag it does not know.
// Elsewhere the executor is a STAND-IN (a shell script written here) recording its argv and the
// environment it was given.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "core/process.h"
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

constexpr const char* kEffectStandInDigest = "sha256:2222222222222222222222222222222222222222222222222222222222222222";

class SettingsEffect : public ::testing::Test {
 protected:
  void SetUp() override {
    oci::RegistryClient client(registry_.host(), std::make_shared<oci::AnonymousKeychain>(),
                               oci::RegistryOptions{.insecure = true});
    push_busybox_base(client, {.repository = "base/busybox", .tag = "1"});
    fs::create_directories(context());
    fs::create_directories(record());
    fs::create_directories(work_.path() / "docker");
    fs::copy_file(KILN_HELLO_BINARY, context() / "main");
    std::ofstream(executor()) << "#!/bin/sh\n"
                                 "for a in \"$@\"; do echo \"$a\" >> \"$STANDIN_RECORD/argv\"; done\n"
                                 "for a in \"$@\"; do case \"$a\" in\n"
                                 "  --digest-file=*) printf '%s' \"$STANDIN_DIGEST\" > \"${a#--digest-file=}\" ;;\n"
                                 "esac; done\n"
                                 "if [ -n \"$GOOGLE_APPLICATION_CREDENTIALS\" ]; then\n"
                                 "  stat -c %a \"$GOOGLE_APPLICATION_CREDENTIALS\" > \"$STANDIN_RECORD/key-mode\"\n"
                                 "  cat \"$GOOGLE_APPLICATION_CREDENTIALS\" > \"$STANDIN_RECORD/key\"\n"
                                 "  echo \"$GOOGLE_APPLICATION_CREDENTIALS\" > \"$STANDIN_RECORD/key-path\"\n"
                                 "fi\n"
                                 "printf '%s' \"$FROM_ENV_FILE\" > \"$STANDIN_RECORD/from-env-file\"\n"
                                 "exit 0\n";
    fs::permissions(executor(), fs::perms(0755));
  }

  fs::path context() const { return work_.path() / "context"; }
  fs::path record() const { return work_.path() / "record"; }
  fs::path executor() const { return work_.path() / "executor"; }
  std::string argv() const { return read_file(record() / "argv"); }

  ProcessResult build(const std::string& dockerfile, std::map<std::string, std::string> extra = {}) {
    std::ofstream(context() / "Dockerfile") << dockerfile;
    std::map<std::string, std::string> env{{"PLUGIN_REPO", registry_.host() + "/team/app"},
                                           {"PLUGIN_TAGS", "1.0"},
                                           {"PLUGIN_CONTEXT", context().string()},
                                           {"PLUGIN_DOCKERFILE", (context() / "Dockerfile").string()},
                                           {"PLUGIN_EXECUTOR", executor().string()},
                                           {"PLUGIN_LAYER_CACHE_DIR", "none"},
                                           {"DOCKER_CONFIG", (work_.path() / "docker").string()},
                                           {"STANDIN_RECORD", record().string()},
                                           {"STANDIN_DIGEST", kEffectStandInDigest}};
    for (auto& [k, v] : extra) env[k] = v;
    return run_plugin(env);
  }
  std::string run_less() const { return "FROM " + registry_.host() + "/base/busybox:1\nCOPY main /usr/local/app/main\n"; }
  oci::Json pushed_config() const {
    return oci::Json::parse(run_ok({"skopeo", "inspect", "--config", "--tls-verify=false",
                                    "docker://" + registry_.host() + "/team/app:1.0"}));
  }

  LocalRegistry registry_;
  TempDir work_{"kiln-settings-effect"};
};

}  // namespace

// env_file is read before any setting: it sets PLUGIN_* (here the tags and an executor flag)
// and variables the executor reads (a secret's env=); the environment wins over the file.
TEST_F(SettingsEffect, EnvFileComesBeforeEverySetting) {
  const fs::path env_file = work_.path() / "build.env";
  std::ofstream(env_file) << "# written by an earlier step\n"
                             "PLUGIN_TAGS=from-file\n"
                             "export PLUGIN_IMAGE_DOWNLOAD_RETRY=4\n"
                             "PLUGIN_SECRETS_FROM_ENV=token=FROM_ENV_FILE\n"
                             "FROM_ENV_FILE='the value'\n"
                             "PLUGIN_INSECURE=true\n";
  const ProcessResult r = build("FROM alpine\nRUN true\n", {{"PLUGIN_ENV_FILE", env_file.string()}, {"PLUGIN_INSECURE", "false"}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string a = argv();
  EXPECT_NE(a.find("--destination=" + registry_.host() + "/team/app:1.0\n"), std::string::npos)
      << "PLUGIN_TAGS of the environment wins: " << a;
  EXPECT_NE(a.find("--image-download-retry=4\n"), std::string::npos) << a;
  EXPECT_NE(a.find("--secret=id=token,env=FROM_ENV_FILE\n"), std::string::npos) << a;
  EXPECT_EQ(a.find("--insecure\n"), std::string::npos) << a;
  EXPECT_EQ(read_file(record() / "from-env-file"), "the value");

  const ProcessResult missing = build("FROM alpine\nRUN true\n", {{"PLUGIN_ENV_FILE", (work_.path() / "none.env").string()}});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("setting env_file: " + (work_.path() / "none.env").string() + " does not exist"),
            std::string::npos) << missing.err;
}

// json_key reaches the executor as Google's SDKs read it: a 0600 file named by
// GOOGLE_APPLICATION_CREDENTIALS, gone after the build; the key never shows in the log.
TEST_F(SettingsEffect, JsonKeyIsAPrivateFileForTheExecutor) {
  const std::string key = R"({"type": "service_account", "private_key": "kiln-test-secret-key"})";
  const ProcessResult r = build("FROM alpine\nRUN true\n", {{"PLUGIN_JSON_KEY", key}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(read_file(record() / "key-mode"), "600\n");
  EXPECT_EQ(read_file(record() / "key"), key);
  std::string path = read_file(record() / "key-path");
  path.pop_back();
  EXPECT_FALSE(fs::exists(path)) << path << " outlived the build";
  EXPECT_EQ(r.err.find("kiln-test-secret-key"), std::string::npos) << r.err;
}

// A setting only the executor honours sends `auto` to it (saying why) and refuses `native`.
TEST_F(SettingsEffect, ExecutorOnlySettingsChooseKaniko) {
  const ProcessResult r = build(run_less(), {{"PLUGIN_REGISTRY_MIRRORS", "mirror.example"}, {"PLUGIN_INSECURE", "true"}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("not natively: setting registry_mirrors: the native backend does not pull through registry mirrors"),
            std::string::npos) << r.err;
  EXPECT_NE(argv().find("--registry-mirror=mirror.example\n"), std::string::npos);

  const ProcessResult native = build(run_less(), {{"PLUGIN_SQUASH", "true"}, {"PLUGIN_BACKEND", "native"}});
  EXPECT_EQ(native.exit_code, 2);
  EXPECT_NE(native.err.find("setting backend: native cannot honour setting single_snapshot:"), std::string::npos)
      << native.err;
}

// Executor tuning on a native build: built natively, one warning per setting.
TEST_F(SettingsEffect, NativeBuildWarnsAboutExecutorTuning) {
  const ProcessResult r = build(run_less(), {{"PLUGIN_CACHE", "true"}, {"PLUGIN_PUSH_RETRY", "3"}, {"PLUGIN_INSECURE", "true"}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(fs::exists(record() / "argv")) << "the executor must not run";
  for (const char* name : {"cache", "push_retry"})
    EXPECT_NE(r.err.find(std::string("setting ") + name + " has no effect on the native backend"), std::string::npos)
        << name << ": " << r.err;
}

// insecure_registry names the plain-HTTP registry: the native build pulls and pushes over HTTP
// without the blanket `insecure`.
TEST_F(SettingsEffect, NativeHonoursInsecureRegistry) {
  const ProcessResult plain = build(run_less());
  EXPECT_NE(plain.exit_code, 0) << "https to a plain-HTTP registry cannot work";
  const ProcessResult r = build(run_less(), {{"PLUGIN_INSECURE_REGISTRY", registry_.host()}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("natively"), std::string::npos) << r.err;
}

// In GitLab CI without SOURCE_DATE_EPOCH the native image is as old as its commit.
TEST_F(SettingsEffect, NativeImageCreatedAtTheCommit) {
  const ProcessResult r = build(run_less(), {{"PLUGIN_INSECURE", "true"},
                                             {"GITLAB_CI", "true"},
                                             {"CI_COMMIT_TIMESTAMP", "2024-05-01T12:30:45+02:00"}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const oci::Json config = pushed_config();
  EXPECT_EQ(config["created"], "2024-05-01T10:30:45Z");
  EXPECT_EQ(config["config"]["Labels"]["org.opencontainers.image.created"], "2024-05-01T10:30:45Z");
}

// The REAL Kaniko executor v1.19.0 is given every executor flag kiln once dropped, plus
// extra_opts split into words: it builds (it exits 1 on a flag it does not know or a value it
// cannot parse), and its own argv log shows each flag.
TEST(SettingsEffectRealKaniko, ExecutorAcceptsEveryPassedFlag) {
  const char* peers_env = std::getenv("KILN_PEERS_DIR");
  const fs::path peers = peers_env && *peers_env ? peers_env : "/work/shared/peers";
  if (!fs::exists(peers / "kaniko-executor") || !fs::exists(peers / "kaniko-chroot-exec"))
    GTEST_SKIP() << "no Kaniko executor in " << peers << " (set KILN_PEERS_DIR)";
  if (run_process({"unshare", "-m", "-p", "--fork", "true"}).exit_code != 0)
    GTEST_SKIP() << "kaniko-chroot-exec needs root and unshare";
  TempDir work("kiln-real-kaniko-flags");
  const fs::path context = work.path() / "context", log = work.path() / "argv.log", tar = work.path() / "out/image.tar";
  fs::create_directories(context);
  fs::copy_file(peers / "kaniko-chroot-exec", work.path() / "kaniko-chroot-exec");
  fs::copy_file(KILN_HELLO_BINARY, context / "main");
  std::ofstream(context / "Dockerfile") << "FROM scratch\nCOPY main /usr/local/app/main\n";
  const ProcessResult r = run_plugin({{"PLUGIN_REPO", "127.0.0.1:1/team/app"},
                                      {"PLUGIN_CONTEXT", context.string()},
                                      {"PLUGIN_DOCKERFILE", (context / "Dockerfile").string()},
                                      {"PLUGIN_BACKEND", "kaniko"},
                                      {"PLUGIN_DRY_RUN", "true"},
                                      {"PLUGIN_TAR_PATH", tar.string()},
                                      {"PLUGIN_IGNORE_VAR_RUN", "false"},
                                      {"PLUGIN_IMAGE_DOWNLOAD_RETRY", "2"},
                                      {"PLUGIN_IMAGE_FS_EXTRACT_RETRY", "2"},
                                      {"PLUGIN_SKIP_DEFAULT_REGISTRY_FALLBACK", "true"},
                                      {"PLUGIN_SKIP_PUSH_PERMISSION_CHECK", "true"},
                                      {"PLUGIN_NO_PUSH_CACHE", "true"},
                                      {"PLUGIN_SKIP_TLS_VERIFY_REGISTRY", "true"},
                                      {"PLUGIN_EXTRA_OPTS", "--reproducible --log-format=text"},
                                      {"PLUGIN_LAYER_CACHE_DIR", "none"},
                                      {"PLUGIN_EXECUTOR", (work.path() / "kaniko-chroot-exec").string()},
                                      {"KANIKO_REAL_EXECUTOR", (peers / "kaniko-executor").string()},
                                      {"KANIKO_SHIM_LOG", log.string()}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string received = read_file(log);
  for (const char* flag : {"--ignore-var-run=false", "--image-download-retry=2", "--image-fs-extract-retry=2",
                           "--skip-default-registry-fallback", "--skip-push-permission-check", "--no-push-cache",
                           "--skip-tls-verify-registry=127.0.0.1:1", "--reproducible", "--log-format=text"})
    EXPECT_NE(received.find(std::string("\n") + flag + "\n"), std::string::npos) << flag << " in\n" << received;
  EXPECT_TRUE(fs::is_regular_file(tar));
}

}  // namespace kiln::testing
