#include "plugin/build_args.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace kiln::plugin {
namespace {

std::vector<BuildArg> args_of(const Env& env, std::vector<std::string>* warnings = nullptr) {
  return build_args(load_settings(env, {}, nullptr), env, warnings);
}

}  // namespace

// Commas and spaces inside values must survive.
TEST(SettingsBuildArgs, ValuesWithCommasAndSpacesSurvive) {
  const std::vector<BuildArg> want = {{"A", "x, y z", false}, {"B", "1", false}};
  EXPECT_EQ(args_of(Env{{{"PLUGIN_BUILD_ARGS", R"(["A=x, y z", "B=1"])"}}}), want);
  EXPECT_EQ(args_of(Env{{{"PLUGIN_BUILD_ARGS_NEW", "A=x, y z;B=1"}}}), want);
  EXPECT_EQ(args_of(Env{{{"PLUGIN_BUILD_ARGS", "A=p;q,B=1"}}}),
            (std::vector<BuildArg>{{"A", "p;q", false}, {"B", "1", false}}));
}

TEST(SettingsBuildArgs, MultipleBuildArgsUsesOnlyTheNewList) {
  std::vector<std::string> warnings;
  EXPECT_EQ(args_of(Env{{{"PLUGIN_BUILD_ARGS", "A=1"}, {"PLUGIN_BUILD_ARGS_NEW", "B=2,3"},
                         {"PLUGIN_MULTIPLE_BUILD_ARGS", "true"}}},
                    &warnings),
            (std::vector<BuildArg>{{"B", "2,3", false}}));
  EXPECT_EQ(warnings, std::vector<std::string>{
                          "setting build_args is ignored because multiple_build_args is true: use build_args_new"});
  EXPECT_EQ(args_of(Env{{{"PLUGIN_BUILD_ARGS", "A=1"}, {"PLUGIN_BUILD_ARGS_NEW", "B=2"}}}),
            (std::vector<BuildArg>{{"A", "1", false}, {"B", "2", false}}));
}

TEST(SettingsBuildArgs, FromEnvKeepsTheValueOffTheCommandLine) {
  EXPECT_EQ(args_of(Env{{{"PLUGIN_BUILD_ARGS_FROM_ENV", "TOKEN"}, {"TOKEN", "s3cret"}}}),
            (std::vector<BuildArg>{{"TOKEN", "s3cret", true}}));
  try {
    args_of(Env{{{"PLUGIN_BUILD_ARGS_FROM_ENV", "MISSING"}}});
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "setting build_args_from_env: variable MISSING is not set");
  }
}

TEST(SettingsBuildArgs, ItemWithoutEqualsNamesTheSetting) {
  try {
    args_of(Env{{{"PLUGIN_BUILD_ARGS", "A=1,JUSTNAME"}}});
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "setting build_args: 'JUSTNAME' is not NAME=value");
  }
}

}  // namespace kiln::plugin
