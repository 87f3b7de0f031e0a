#include "plugin/settings.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace kiln::plugin {

TEST(Settings, ReadsPluginVariablesAndAliases) {
  const Env env{{{"PLUGIN_REPO", "r.example/app"}, {"PLUGIN_TAG", "v1"}, {"PLUGIN_VERBOSITY", "debug"},
                 {"PLUGIN_PASSWORD", ""}, {"HOME", "/root"}}};
  const Settings s = Settings::load(env, {}, nullptr);
  EXPECT_EQ(s.get("repo"), "r.example/app");
  EXPECT_EQ(s.get("tags"), "v1");
  EXPECT_EQ(s.get("log_level"), "debug");
  EXPECT_FALSE(s.has("password")) << "an empty variable is an unset setting";
  EXPECT_EQ(s.get("compression"), "gzip") << "table default";
}

TEST(Settings, FlagsOverrideVariables) {
  const Env env{{{"PLUGIN_REPO", "a/b"}}};
  const Settings s = Settings::load(env, {"--repo", "c/d", "--compression-level=3", "--insecure"}, nullptr);
  EXPECT_EQ(s.get("repo"), "c/d");
  EXPECT_EQ(s.get_int("compression_level"), 3);
  EXPECT_TRUE(s.get_bool("insecure")) << "a bare boolean flag means true";
}

TEST(Settings, UnknownVariableWarnsWithClosestName) {
  std::vector<std::string> warnings;
  Settings::load(Env{{{"PLUGIN_BASE_IMGE", "x"}, {"PLUGIN_REPO", "a/b"}, {"CI_REPO", "x"}}}, {}, &warnings);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0], "unknown setting PLUGIN_BASE_IMGE (did you mean PLUGIN_BASE_IMAGE?)");
}

TEST(Settings, UnknownFlagIsAnError) {
  try {
    Settings::load(Env{}, {"--tagz", "x"}, nullptr);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_class(), ExitClass::usage);
    EXPECT_STREQ(e.what(), "unknown flag --tagz (did you mean --tags?)");
  }
  EXPECT_THROW(Settings::load(Env{}, {"--repo"}, nullptr), Error);
  EXPECT_THROW(Settings::load(Env{}, {"--repo", "--tags", "x"}, nullptr), Error);
}

TEST(Settings, ListsAcceptEveryCommonForm) {
  struct Row { const char* raw; std::vector<std::string> want; };
  for (const Row& r : {Row{"a,b", {"a", "b"}}, Row{" a ,\n b ;c;; ", {"a", "b", "c"}},
                       Row{R"(["x, y", " z "])", {"x, y", "z"}}, Row{"", {}}}) {
    const Settings s = Settings::load(Env{{{"PLUGIN_BINARY", r.raw}}}, {}, nullptr);
    EXPECT_EQ(s.get_list("binary"), r.want) << r.raw;
  }
}

TEST(Settings, BooleansAndNumbersAreChecked) {
  EXPECT_TRUE(Settings::load(Env{{{"PLUGIN_INSECURE", "TRUE"}}}, {}, nullptr).get_bool("insecure"));
  EXPECT_FALSE(Settings::load(Env{}, {}, nullptr).get_bool("insecure"));
  try {
    Settings::load(Env{{{"PLUGIN_INSECURE", "maybe"}}}, {}, nullptr).get_bool("insecure");
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "setting insecure: 'maybe' is not a boolean (use true or false)");
  }
  EXPECT_THROW(Settings::load(Env{{{"PLUGIN_COMPRESSION_LEVEL", "1x"}}}, {}, nullptr).get_int("compression_level"),
               Error);
}

TEST(Settings, HelpListsEverySettingWithDefaults) {
  const std::string help = help_text();
  for (const auto& spec : setting_specs()) EXPECT_NE(help.find("--" + spec.name), std::string::npos) << spec.name;
  EXPECT_NE(help.find("--tags, --tag"), std::string::npos);
  EXPECT_NE(help.find("(default: gzip)"), std::string::npos);
}

}  // namespace kiln::plugin
