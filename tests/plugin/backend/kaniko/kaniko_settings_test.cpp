// Settings, as a pipeline writes them, to the executor's command line kiln builds: each setting
// of drone-kaniko and the Woodpecker plugin that names an executor flag reaches it.
#include "plugin/backend/kaniko/kaniko_settings.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include "core/error.h"
#include "core/temp_dir.h"
#include "plugin/backend/kaniko/kaniko_argv.h"

namespace kiln::plugin {
namespace {

using Argv = std::vector<std::string>;

class KanikoSettings : public ::testing::Test {
 protected:
  Env env(std::map<std::string, std::string> extra) const {
    Env e{{{"PLUGIN_REPO", "registry.example.com/team/app"}, {"PLUGIN_TAGS", "1.0"},
           {"PLUGIN_DOCKERFILE", "Dockerfile"}}};
    for (auto& [k, v] : extra) e.vars[k] = v;
    return e;
  }
  Argv argv(std::map<std::string, std::string> extra) const {
    const Env e = env(extra);
    const Settings settings = load_settings(e, {}, nullptr);
    return kaniko_argv(kaniko_options(settings, make_plan(settings, e), "/tmp/config", "Dockerfile"));
  }
  std::string error_of(std::map<std::string, std::string> extra) const {
    try {
      argv(extra);
    } catch (const Error& e) {
      EXPECT_EQ(e.exit_class(), ExitClass::usage) << e.what();
      return e.what();
    }
    return "no error";
  }
  static bool has(const Argv& a, const std::string& word) { return std::find(a.begin(), a.end(), word) != a.end(); }
  static std::size_t count_prefix(const Argv& a, const std::string& prefix) {
    return std::count_if(a.begin(), a.end(), [&](const std::string& w) { return w.starts_with(prefix); });
  }
  TempDir dir_{"kiln-kaniko-settings"};
};

TEST_F(KanikoSettings, ExecutorFlagsOfTheAnchorsArePassed) {
  const Argv a = argv({{"PLUGIN_IGNORE_VAR_RUN", "false"},
                       {"PLUGIN_IMAGE_DOWNLOAD_RETRY", "3"},
                       {"PLUGIN_IMAGE_FS_EXTRACT_RETRY", "2"},
                       {"PLUGIN_SKIP_DEFAULT_REGISTRY_FALLBACK", "true"},
                       {"PLUGIN_SKIP_PUSH_PERMISSION_CHECK", "true"},
                       {"PLUGIN_NO_PUSH_CACHE", "true"}});
  for (const char* flag : {"--ignore-var-run=false", "--image-download-retry=3", "--image-fs-extract-retry=2",
                           "--skip-default-registry-fallback", "--skip-push-permission-check", "--no-push-cache"})
    EXPECT_TRUE(has(a, flag)) << flag;
}

TEST_F(KanikoSettings, UnsetExecutorFlagsKeepTheExecutorsDefaults) {
  const Argv a = argv({});
  for (const char* prefix : {"--ignore-var-run", "--image-download-retry", "--image-fs-extract-retry",
                             "--skip-default-registry-fallback", "--skip-push-permission-check", "--no-push-cache",
                             "--secret", "--registry-certificate", "--skip-tls-verify-registry"})
    EXPECT_EQ(count_prefix(a, prefix), 0u) << prefix;
  EXPECT_TRUE(has(argv({{"PLUGIN_IGNORE_VAR_RUN", "true"}}), "--ignore-var-run=true"));
}

TEST_F(KanikoSettings, ExtraOptsAreSplitIntoWords) {
  const Argv a = argv({{"PLUGIN_EXTRA_OPTS", "--reproducible  --cleanup\n--label=team=a b"}});
  const Argv tail(a.end() - 4, a.end());
  EXPECT_EQ(tail, (Argv{"--reproducible", "--cleanup", "--label=team=a", "b"}));
  // A CI list arrives comma-joined; a comma inside a value stays.
  EXPECT_EQ(extra_opts_words("--snapshot-mode=redo,--label=k=a,b"), (Argv{"--snapshot-mode=redo", "--label=k=a,b"}));
  EXPECT_EQ(extra_opts_words(R"(["--use-new-run", "--push-retry=2 --cleanup"])"),
            (Argv{"--use-new-run", "--push-retry=2", "--cleanup"}));
  EXPECT_TRUE(extra_opts_words("  \n ").empty());
}

TEST_F(KanikoSettings, PlatformListIsParsedAndOnePlatformPerRun) {
  EXPECT_TRUE(has(argv({{"PLUGIN_PLATFORM", "linux/arm64"}}), "--custom-platform=linux/arm64"));
  EXPECT_TRUE(has(argv({{"PLUGIN_PLATFORMS", " linux/amd64 "}}), "--custom-platform=linux/amd64"));
  const std::string error = error_of({{"PLUGIN_PLATFORMS", "linux/amd64,linux/arm64"}});
  EXPECT_EQ(error.rfind("setting platform: names 2 platforms (linux/amd64, linux/arm64)", 0), 0u) << error;
  EXPECT_EQ(error_of({{"PLUGIN_PLATFORM", "linux/amd64,windows"}}).rfind("setting platform:", 0), 0u);
}

TEST_F(KanikoSettings, CacheRepoGetsTheRegistryAsRepoDoes) {
  const std::map<std::string, std::string> registry{{"PLUGIN_REGISTRY", "r.example:5000"},
                                                    {"PLUGIN_REPO", "team/app"}, {"PLUGIN_EXPAND_REPO", "true"}};
  auto with = [&](std::string cache_repo) {
    auto e = registry;
    e["PLUGIN_CACHE_REPO"] = cache_repo;
    return argv(e);
  };
  EXPECT_TRUE(has(with("team/cache"), "--cache-repo=r.example:5000/team/cache"));
  EXPECT_TRUE(has(with("r.example:5000/team/cache"), "--cache-repo=r.example:5000/team/cache"));
  EXPECT_TRUE(has(with("oci:/cache/layout"), "--cache-repo=oci:/cache/layout"));
  EXPECT_TRUE(has(argv({{"PLUGIN_CACHE_REPO", "other.example/cache"}}), "--cache-repo=other.example/cache"));
  EXPECT_TRUE(has(argv(registry), "--destination=r.example:5000/team/app:1.0"));
}

TEST_F(KanikoSettings, SkipTlsVerifyRegistryTakesABooleanOrNames) {
  EXPECT_TRUE(has(argv({{"PLUGIN_SKIP_TLS_VERIFY_REGISTRY", "true"}}), "--skip-tls-verify-registry=registry.example.com"));
  EXPECT_EQ(count_prefix(argv({{"PLUGIN_SKIP_TLS_VERIFY_REGISTRY", "false"}}), "--skip-tls-verify-registry"), 0u);
  const Argv a = argv({{"PLUGIN_SKIP_TLS_VERIFY_REGISTRY", "a.example:5000,docker.io"}});
  EXPECT_TRUE(has(a, "--skip-tls-verify-registry=a.example:5000"));
  EXPECT_TRUE(has(a, "--skip-tls-verify-registry=index.docker.io"));
  // The anchors' bare flag is never passed: the executor would take the next argument as its value.
  EXPECT_FALSE(has(argv({{"PLUGIN_SKIP_TLS_VERIFY_REGISTRY", "true"}}), "--skip-tls-verify-registry"));
}

TEST_F(KanikoSettings, BareRegistryCertificateIsGivenForEveryKnownRegistry) {
  const std::string ca = (dir_.path() / "ca.pem").string();
  std::ofstream(ca) << "-----BEGIN CERTIFICATE-----\n";
  const std::string other = (dir_.path() / "other.pem").string();
  std::ofstream(other) << "-----BEGIN CERTIFICATE-----\n";
  const Argv a = argv({{"PLUGIN_REGISTRY_CERTIFICATE", ca + ",mirror.example=" + other},
                       {"PLUGIN_CACHE_REPO", "cache.example/c"},
                       {"PLUGIN_BASE_IMAGE_REGISTRY", "base.example"},
                       {"PLUGIN_REGISTRY_MIRRORS", "mirror.example"}});
  for (const std::string& expected : {"registry.example.com=" + ca, "cache.example=" + ca, "base.example=" + ca,
                                      "mirror.example=" + other})
    EXPECT_TRUE(has(a, "--registry-certificate=" + expected)) << expected;
  EXPECT_EQ(count_prefix(a, "--registry-certificate="), 4u);
  EXPECT_FALSE(has(a, "--registry-certificate=" + ca)) << "the executor rejects a bare path";
}

TEST_F(KanikoSettings, SecretsBecomeSecretFlags) {
  const std::string npmrc = (dir_.path() / "npmrc").string();
  std::ofstream(npmrc) << "token";
  const Argv a = argv({{"PLUGIN_SECRETS", "id=npm,src=" + npmrc + ",id=token,env=CI_TOKEN"},
                       {"PLUGIN_SECRETS_FROM_ENV", "gh=GH_TOKEN"},
                       {"PLUGIN_SECRETS_FROM_FILE", "key=" + npmrc},
                       {"CI_TOKEN", "t1"},
                       {"GH_TOKEN", "t2"}});
  for (const std::string& expected : {"id=npm,src=" + npmrc, std::string("id=token,env=CI_TOKEN"),
                                      std::string("id=gh,env=GH_TOKEN"), "id=key,src=" + npmrc})
    EXPECT_TRUE(has(a, "--secret=" + expected)) << expected;
  EXPECT_TRUE(has(argv({{"PLUGIN_SECRET", "id=npm,src=" + npmrc}}), "--secret=id=npm,src=" + npmrc));
}

TEST_F(KanikoSettings, SecretsThatCannotWorkAreRefusedNamingTheSetting) {
  EXPECT_EQ(error_of({{"PLUGIN_SECRETS", "id=npm,src=/nonexistent/npmrc"}}),
            "setting secrets: secret npm: /nonexistent/npmrc does not exist or is not a file");
  EXPECT_EQ(error_of({{"PLUGIN_SECRETS_FROM_ENV", "gh=UNSET_VARIABLE_X"}}),
            "setting secrets_from_env: secret gh: variable UNSET_VARIABLE_X is not set");
  EXPECT_EQ(error_of({{"PLUGIN_SECRETS_FROM_FILE", "gh"}}), "setting secrets_from_file: 'gh' is not in the form id=path");
  EXPECT_EQ(error_of({{"PLUGIN_SECRETS", "src=/x"}}), "setting secrets: each secret needs an id");
  EXPECT_EQ(error_of({{"PLUGIN_SECRETS", "id=a,mode=0400"}}), "setting secrets: 'mode=0400' is not id=, src=, env= or type=");
}

}  // namespace
}  // namespace kiln::plugin
