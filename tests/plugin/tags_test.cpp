#include "plugin/tags.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <fstream>

#include "core/error.h"
#include "core/temp_dir.h"

namespace kiln::plugin {
namespace {

CiContext ref(const std::string& r, const std::string& default_branch = "main") {
  return CiContext{.system = CiSystem::drone, .ref = r, .default_branch = default_branch};
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_class(), ExitClass::usage);
    return e.what();
  }
  return "no error";
}

class TagsTest : public ::testing::Test {
 protected:
  TagPlan resolve(const Env& env, const CiContext& ci = {}) const {
    return resolve_tags(load_settings(env, {}, nullptr), ci, dir_.path());
  }
  void write_tags_file(const std::string& name, const std::string& text) const {
    std::ofstream(dir_.path() / name) << text;
  }
  TempDir dir_{"kiln-tags"};
};

}  // namespace

// Golden table: what drone-docker's and drone-kaniko's auto_tag give for each ref, with kiln's choices for
// the cases drone-docker gets wrong (+meta).
TEST(Tags, AutoTagGoldenTable) {
  struct Row { std::string ref, suffix; std::vector<std::string> want; };
  const std::vector<Row> rows = {
      {"refs/heads/main", "", {"latest"}},
      {"refs/tags/v1.2.3", "", {"1", "1.2", "1.2.3"}},
      {"refs/tags/1.2.3", "", {"1", "1.2", "1.2.3"}},
      {"refs/tags/0.9.0", "", {"0.9", "0.9.0"}},
      {"refs/tags/v1.2.3-rc.1", "", {"1.2.3-rc.1"}},
      {"refs/tags/v1.2.3+meta", "", {"1.2.3_meta"}},
      {"refs/tags/v1.2.3-rc.1+build.5", "", {"1.2.3-rc.1_build.5"}},
      {"refs/tags/v18.06.0", "", {"18", "18.06", "18.06.0"}},
      {"refs/heads/main", "linux-amd64", {"linux-amd64"}},
      {"refs/tags/v1.2.3", "linux-amd64", {"1-linux-amd64", "1.2-linux-amd64", "1.2.3-linux-amd64"}},
  };
  for (const Row& r : rows) {
    const TagPlan p = auto_tags(ref(r.ref), r.suffix, false);
    EXPECT_EQ(p.action, TagAction::push) << r.ref;
    EXPECT_EQ(p.tags, r.want) << r.ref << " suffix " << r.suffix;
  }
}

TEST(Tags, AutoTagOnAnotherBranchSkipsOrFails) {
  EXPECT_EQ(auto_tags(ref("refs/heads/feature"), "", false),
            (TagPlan{.action = TagAction::skip, .tags = {},
                     .reason = "auto_tag: refs/heads/feature is neither a tag nor the default branch main; nothing "
                               "to build (auto_tag_fail_on_other_branch makes this an error)"}));
  EXPECT_EQ(auto_tags(ref("refs/pull/7/head"), "", false).action, TagAction::skip);
  EXPECT_EQ(error_of([] { auto_tags(ref("refs/heads/feature"), "", true); }),
            "setting auto_tag: refs/heads/feature is neither a tag nor the default branch main");
  EXPECT_EQ(auto_tags(CiContext{}, "", false).reason,
            "auto_tag: no git ref is known (not running in Drone, Woodpecker or GitLab CI); nothing to build "
            "(auto_tag_fail_on_other_branch makes this an error)");
}

TEST(Tags, AutoTagRejectsTagsThatAreNotSemver) {
  for (const char* bad : {"refs/tags/20190203", "refs/tags/1.2", "refs/tags/v1.2.x", "refs/tags/release"})
    EXPECT_EQ(error_of([&] { auto_tags(ref(bad), "", false); }),
              fmt::format("setting auto_tag: git tag '{}' is not a semantic version MAJOR.MINOR.PATCH; set tags "
                          "instead",
                          std::string(bad).substr(10)));
}

TEST_F(TagsTest, ExplicitTagsWinOverTheFile) {
  write_tags_file(".tags", "from-file");
  EXPECT_EQ(resolve(Env{{{"PLUGIN_TAGS", "a, b\nc"}}}).tags, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(resolve(Env{{{"PLUGIN_TAG", "a,a"}}}).tags, std::vector<std::string>{"a"}) << "duplicates dropped";
}

// Trailing spaces and newlines in .tags.
TEST_F(TagsTest, TagsFileIsSplitAndTrimmed) {
  write_tags_file(".tags", " 1.0 ,latest\n\nsha-abc \n");
  EXPECT_EQ(resolve(Env{}).tags, (std::vector<std::string>{"1.0", "latest", "sha-abc"}));
  write_tags_file("my-tags", "x,y");
  EXPECT_EQ(resolve(Env{{{"PLUGIN_TAGS_FILE", "my-tags"}}}).tags, (std::vector<std::string>{"x", "y"}));
}

TEST_F(TagsTest, DefaultIsLatest) {
  EXPECT_EQ(resolve(Env{}), (TagPlan{.action = TagAction::push, .tags = {"latest"}, .reason = ""}));
}

TEST_F(TagsTest, InvalidTagNamesTheSetting) {
  EXPECT_EQ(error_of([&] { resolve(Env{{{"PLUGIN_TAGS", "ok,bad+tag"}}}); }),
            "setting tags: invalid tag 'bad+tag': a tag may contain only letters, digits, '_', '.' and '-', and "
            "cannot start with '.' or '-'");
  write_tags_file(".tags", "-x");
  EXPECT_EQ(error_of([&] { resolve(Env{}); }),
            "setting .tags file: invalid tag '-x': a tag may contain only letters, digits, '_', '.' and '-', and "
            "cannot start with '.' or '-'");
  EXPECT_EQ(error_of([&] { resolve(Env{{{"PLUGIN_TAGS_FILE", "missing"}}}); }),
            fmt::format("setting tags_file: cannot read {}", (dir_.path() / "missing").string()));
}

TEST_F(TagsTest, AutoTagThroughSettings) {
  const Env env{{{"PLUGIN_AUTO_TAG", "true"}, {"PLUGIN_DEFAULT_SUFFIX", "arm64"}}};
  EXPECT_EQ(resolve(env, ref("refs/tags/v2.1.0")).tags, (std::vector<std::string>{"2-arm64", "2.1-arm64", "2.1.0-arm64"}));
  EXPECT_EQ(resolve(env, ref("refs/heads/dev")).action, TagAction::skip);
  EXPECT_EQ(resolve(Env{{{"PLUGIN_AUTO_TAG", "true"}, {"PLUGIN_TAGS", "latest"}}}, ref("refs/heads/main")).tags,
            std::vector<std::string>{"latest"});
  EXPECT_EQ(error_of([&] { resolve(Env{{{"PLUGIN_AUTO_TAG", "true"}, {"PLUGIN_TAGS", "v1"}}}, ref("refs/heads/main")); }),
            "setting auto_tag: cannot be combined with tags 'v1' (only latest)");
  EXPECT_EQ(error_of([&] { resolve(Env{{{"PLUGIN_AUTO_TAG", "true"}, {"PLUGIN_EXPAND_TAG", "true"}}}); }),
            "setting auto_tag: cannot be combined with expand_tag");
}

TEST_F(TagsTest, ExpandTag) {
  EXPECT_EQ(resolve(Env{{{"PLUGIN_EXPAND_TAG", "true"}, {"PLUGIN_TAGS", "v1.2.3,latest"}}}).tags,
            (std::vector<std::string>{"1", "1.2", "1.2.3", "latest"}));
  EXPECT_EQ(resolve(Env{{{"PLUGIN_EXPAND_TAG", "true"}, {"PLUGIN_TAGS", "0.9.0"}}}).tags,
            (std::vector<std::string>{"0", "0.9", "0.9.0"}));
}

}  // namespace kiln::plugin

namespace kiln::plugin {

// One row per CI system: its own variables all the way to the tags.
TEST(Tags, AutoTagFromEachCiSystem) {
  struct Row { Env env; TagAction action; std::vector<std::string> tags; };
  const std::vector<Row> rows = {
      {Env{{{"DRONE", "true"}, {"DRONE_COMMIT_REF", "refs/tags/v3.1.4"}, {"DRONE_REPO_BRANCH", "main"}}},
       TagAction::push, {"3", "3.1", "3.1.4"}},
      {Env{{{"DRONE", "true"}, {"DRONE_COMMIT_REF", "refs/heads/main"}, {"DRONE_REPO_BRANCH", "main"}}},
       TagAction::push, {"latest"}},
      {Env{{{"CI", "woodpecker"}, {"CI_COMMIT_REF", "refs/heads/trunk"}, {"CI_REPO_DEFAULT_BRANCH", "trunk"}}},
       TagAction::push, {"latest"}},
      {Env{{{"CI", "woodpecker"}, {"CI_COMMIT_TAG", "0.2.0"}, {"CI_REPO_DEFAULT_BRANCH", "trunk"}}},
       TagAction::push, {"0.2", "0.2.0"}},
      {Env{{{"GITLAB_CI", "true"}, {"CI_COMMIT_BRANCH", "main"}, {"CI_DEFAULT_BRANCH", "main"}}},
       TagAction::push, {"latest"}},
      {Env{{{"GITLAB_CI", "true"}, {"CI_MERGE_REQUEST_REF_PATH", "refs/merge-requests/3/head"},
            {"CI_MERGE_REQUEST_IID", "3"}, {"CI_DEFAULT_BRANCH", "main"}}},
       TagAction::skip, {}},
  };
  for (const Row& r : rows) {
    Env env = r.env;
    env.vars["PLUGIN_AUTO_TAG"] = "true";
    const TagPlan p = resolve_tags(load_settings(env, {}, nullptr), read_ci_context(env), "/nonexistent");
    EXPECT_EQ(p.action, r.action) << env.vars.begin()->first;
    EXPECT_EQ(p.tags, r.tags) << env.vars.begin()->first;
  }
}

}  // namespace kiln::plugin
