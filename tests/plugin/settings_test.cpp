#include "plugin/settings.h"

#include <gtest/gtest.h>

#include <set>

#include "core/error.h"

namespace kiln::plugin {

TEST(Settings, ReadsPluginVariablesAndAliases) {
  const Env env{{{"PLUGIN_REPO", "r.example/app"}, {"PLUGIN_TAG", "v1"}, {"PLUGIN_VERBOSITY", "debug"},
                 {"PLUGIN_PASSWORD", ""}, {"HOME", "/root"}}};
  const Settings s = load_settings(env, {}, nullptr);
  EXPECT_EQ(s.get("repo"), "r.example/app");
  EXPECT_EQ(s.get("tags"), "v1");
  EXPECT_EQ(s.get("log_level"), "debug");
  EXPECT_FALSE(s.has("password")) << "an empty variable is an unset setting";
  EXPECT_EQ(s.get("compression"), "gzip") << "table default";
}

TEST(Settings, FlagsOverrideVariables) {
  const Env env{{{"PLUGIN_REPO", "a/b"}}};
  const Settings s = load_settings(env, {"--repo", "c/d", "--compression-level=3", "--insecure"}, nullptr);
  EXPECT_EQ(s.get("repo"), "c/d");
  EXPECT_EQ(s.get_int("compression_level"), 3);
  EXPECT_TRUE(s.get_bool("insecure")) << "a bare boolean flag means true";
}

TEST(Settings, UnknownVariableWarnsWithClosestName) {
  std::vector<std::string> warnings;
  load_settings(Env{{{"PLUGIN_BASE_IMGE", "x"}, {"PLUGIN_REPO", "a/b"}, {"CI_REPO", "x"}}}, {}, &warnings);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0], "unknown setting PLUGIN_BASE_IMGE (did you mean PLUGIN_BASE_IMAGE?)");
}

TEST(Settings, UnknownFlagIsAnError) {
  try {
    load_settings(Env{}, {"--tagz", "x"}, nullptr);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_class(), ExitClass::usage);
    EXPECT_STREQ(e.what(), "unknown flag --tagz (did you mean --tags?)");
  }
  EXPECT_THROW(load_settings(Env{}, {"--repo"}, nullptr), Error);
  EXPECT_THROW(load_settings(Env{}, {"--repo", "--tags", "x"}, nullptr), Error);
}

TEST(Settings, ListsAcceptEveryCommonForm) {
  struct Row { const char* raw; std::vector<std::string> want; };
  for (const Row& r : {Row{"a,b", {"a", "b"}}, Row{" a ,\n b ;c;; ", {"a", "b", "c"}},
                       Row{R"(["x, y", " z "])", {"x, y", "z"}}, Row{"", {}}}) {
    const Settings s = load_settings(Env{{{"PLUGIN_BINARY", r.raw}}}, {}, nullptr);
    EXPECT_EQ(s.get_list("binary"), r.want) << r.raw;
  }
}

TEST(Settings, BooleansAndNumbersAreChecked) {
  EXPECT_TRUE(load_settings(Env{{{"PLUGIN_INSECURE", "TRUE"}}}, {}, nullptr).get_bool("insecure"));
  EXPECT_FALSE(load_settings(Env{}, {}, nullptr).get_bool("insecure"));
  try {
    load_settings(Env{{{"PLUGIN_INSECURE", "maybe"}}}, {}, nullptr).get_bool("insecure");
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "setting insecure: 'maybe' is not a boolean (use true or false)");
  }
  EXPECT_THROW(load_settings(Env{{{"PLUGIN_COMPRESSION_LEVEL", "1x"}}}, {}, nullptr).get_int("compression_level"),
               Error);
}

// registry_timeout: a Go duration from every source (default 2m), refused with its name when
// it is not a positive one.
TEST(Settings, RegistryTimeoutIsAPositiveDuration) {
  using std::chrono::milliseconds;
  EXPECT_EQ(load_settings(Env{}, {}, nullptr).get_duration("registry_timeout"), milliseconds(120000));
  EXPECT_EQ(load_settings(Env{{{"PLUGIN_REGISTRY_TIMEOUT", "30s"}}}, {}, nullptr).get_duration("registry_timeout"),
            milliseconds(30000));
  EXPECT_EQ(load_settings(Env{{{"KILN_REGISTRY_TIMEOUT", "1m30s"}}}, {}, nullptr).get_duration("registry_timeout"),
            milliseconds(90000));
  EXPECT_EQ(load_settings(Env{}, {"--registry_timeout", "1500ms"}, nullptr).get_duration("registry_timeout"),
            milliseconds(1500));
  for (const char* bad : {"soon", "0", "0s", "-1s", "10", "5 m"}) {
    try {
      load_settings(Env{{{"PLUGIN_REGISTRY_TIMEOUT", bad}}}, {}, nullptr).get_duration("registry_timeout");
      ADD_FAILURE() << bad;
    } catch (const Error& e) {
      EXPECT_EQ(e.exit_class(), ExitClass::usage) << bad;
      EXPECT_EQ(std::string(e.what()),
                std::string("setting registry_timeout: '") + bad + "' is not a positive duration such as 30s, 5m or 1m30s");
    }
  }
}

TEST(Settings, HelpListsEverySettingWithDefaults) {
  const std::string help = help_text();
  for (const auto& spec : setting_specs()) EXPECT_NE(help.find("--" + spec.name), std::string::npos) << spec.name;
  EXPECT_NE(help.find("--tags, --tag"), std::string::npos);
  EXPECT_NE(help.find("(default: gzip)"), std::string::npos);
}

}  // namespace kiln::plugin

namespace kiln::plugin {

TEST(SettingsTable, NamesAndAliasesAreUnique) {
  std::set<std::string> seen;
  for (const auto& spec : setting_specs()) {
    EXPECT_TRUE(seen.insert(spec.name).second) << spec.name;
    for (const auto& alias : spec.aliases) EXPECT_TRUE(seen.insert(alias).second) << alias;
    EXPECT_FALSE(spec.help.empty()) << spec.name;
  }
}

TEST(SettingsTable, AliasesOfTodaysPlugins) {
  struct Row { const char* variable; const char* setting; };
  for (const Row& r : {Row{"PLUGIN_TAG", "tags"}, Row{"PLUGIN_NO_PUSH", "dry_run"}, Row{"PLUGIN_DRY_RUN", "dry_run"},
                       Row{"PLUGIN_MIRROR", "registry_mirrors"}, Row{"PLUGIN_MIRRORS", "registry_mirrors"},
                       Row{"PLUGIN_REGISTRY_MIRRORS", "registry_mirrors"}, Row{"PLUGIN_CONFIG", "config"},
                       Row{"PLUGIN_DOCKER_CONFIG_JSON", "config"}, Row{"PLUGIN_CACHE", "cache"},
                       Row{"PLUGIN_ENABLE_CACHE", "cache"}, Row{"PLUGIN_DEFAULT_SUFFIX", "auto_tag_suffix"},
                       Row{"PLUGIN_DEFAULT_TAGS", "auto_tag"}, Row{"PLUGIN_CUSTOM_PLATFORM", "platform"},
                       Row{"PLUGIN_VERBOSITY", "log_level"}, Row{"PLUGIN_DESTINATION_TAR_PATH", "tar_path"},
                       Row{"PLUGIN_SKIP_TLS_VERIFY_PULL", "skip_tls_verify_pull"},
                       Row{"PLUGIN_BUILD_ARGS_NEW", "build_args_new"}}) {
    std::vector<std::string> warnings;
    const Settings s = load_settings(Env{{{r.variable, "x"}}}, {}, &warnings);
    EXPECT_TRUE(warnings.empty()) << r.variable;
    EXPECT_EQ(s.get(r.setting), "x") << r.variable;
  }
}

TEST(SettingsTable, DefaultsOfNewSettings) {
  const Settings s = load_settings(Env{}, {}, nullptr);
  EXPECT_EQ(s.get("backend"), "auto");
  EXPECT_EQ(s.get("executor"), "/kaniko/executor");
  EXPECT_EQ(s.get("dockerfile"), "Dockerfile");
  EXPECT_EQ(s.get("context"), ".");
  EXPECT_EQ(s.get("auto_label"), "true");
}

// GitLab job variables are plain: KILN_<NAME> is read when no PLUGIN_ variable sets it.
TEST(Settings, KilnVariablesAreTheGitlabFrontEnd) {
  const Settings s = load_settings(
      Env{{{"KILN_REPO", "r/gitlab"}, {"KILN_TAGS", "a,b"}, {"PLUGIN_TAGS", "c"}, {"KILN_VERBOSITY", "debug"}}}, {},
      nullptr);
  EXPECT_EQ(s.get("repo"), "r/gitlab");
  EXPECT_EQ(s.get("tags"), "c") << "PLUGIN_ wins over KILN_";
  EXPECT_EQ(s.get("log_level"), "debug");
  EXPECT_EQ(load_settings(Env{{{"KILN_REPO", "a/b"}}}, {"--repo=c/d"}, nullptr).get("repo"), "c/d");
  std::vector<std::string> warnings;
  load_settings(Env{{{"KILN_REPOO", "x"}}}, {}, &warnings);
  EXPECT_EQ(warnings, std::vector<std::string>{"unknown setting KILN_REPOO (did you mean KILN_REPO?)"});
}

TEST(Settings, CanonicalNameWinsOverAlias) {
  std::vector<std::string> warnings;
  const Settings s = load_settings(Env{{{"PLUGIN_TAG", "a"}, {"PLUGIN_TAGS", "b"}, {"PLUGIN_NO_PUSH", "true"},
                                        {"PLUGIN_DRY_RUN", "false"}}},
                                    {}, &warnings);
  EXPECT_EQ(s.get("tags"), "b");
  EXPECT_EQ(s.get("dry_run"), "false");
  EXPECT_EQ(warnings, (std::vector<std::string>{
                          "PLUGIN_DRY_RUN and PLUGIN_NO_PUSH both set setting dry_run: using PLUGIN_DRY_RUN",
                          "PLUGIN_TAG and PLUGIN_TAGS both set setting tags: using PLUGIN_TAGS"}));
}

TEST(Settings, PlainDockerVariablesAreTheLastResort) {
  const Settings s = load_settings(
      Env{{{"DOCKER_USERNAME", "u"}, {"DOCKER_PASSWORD", "p"}, {"PLUGIN_USERNAME", "plugin-user"}}}, {}, nullptr);
  EXPECT_EQ(s.get("username"), "plugin-user");
  EXPECT_EQ(s.get("password"), "p");
}

TEST(Settings, IgnoredDaemonSettingsWarnOnce) {
  std::vector<std::string> warnings;
  const Settings s = load_settings(Env{{{"PLUGIN_STORAGE_DRIVER", "vfs"}, {"PLUGIN_MTU", "1400"}}}, {}, &warnings);
  EXPECT_EQ(warnings, (std::vector<std::string>{"setting mtu has no effect: kiln runs no Docker daemon",
                                                "setting storage_driver has no effect: kiln runs no Docker daemon"}));
  EXPECT_NE(help_text().find("--purge"), std::string::npos);
  warnings.clear();
  load_settings(Env{{{"PLUGIN_DEBUG", "true"}, {"PLUGIN_EMAIL", "a@b"}}}, {}, &warnings);
  EXPECT_EQ(warnings, (std::vector<std::string>{"setting debug has no effect: kiln runs no Docker daemon; use "
                                                "log_level: debug",
                                                "setting email has no effect: registries no longer use an e-mail "
                                                "address"}));
}

TEST(Settings, ListSeparatorsAreChosenByTheCaller) {
  const Settings s = load_settings(Env{{{"PLUGIN_BUILD_ARGS", "A=1;2, B=x"}}}, {}, nullptr);
  EXPECT_EQ(s.get_list("build_args", ",\n"), (std::vector<std::string>{"A=1;2", "B=x"}));
}

}  // namespace kiln::plugin
