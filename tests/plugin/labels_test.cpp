#include "plugin/labels.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace kiln::plugin {
namespace {

Settings settings_of(std::map<std::string, std::string> vars) { return load_settings(Env{std::move(vars)}, {}, nullptr); }

const CiContext kCi{.system = CiSystem::drone, .sha = "abc123", .repo_url = "https://git.example/o/r"};

}  // namespace

TEST(Labels, AutoLabelsFromCiContext) {
  EXPECT_EQ(image_labels(settings_of({}), kCi, 1700000000),
            (Labels{{"org.opencontainers.image.created", "2023-11-14T22:13:20Z"},
                    {"org.opencontainers.image.revision", "abc123"},
                    {"org.opencontainers.image.source", "https://git.example/o/r"},
                    {"org.opencontainers.image.url", "https://git.example/o/r"}}));
}

TEST(Labels, AutoLabelFalseKeepsOnlyCustomLabels) {
  EXPECT_EQ(image_labels(settings_of({{"PLUGIN_AUTO_LABEL", "false"}, {"PLUGIN_CUSTOM_LABELS", "a=1,b=x=y"}}), kCi, 0),
            (Labels{{"a", "1"}, {"b", "x=y"}}));
}

TEST(Labels, CustomLabelsOverrideAutoLabels) {
  const Labels labels =
      image_labels(settings_of({{"PLUGIN_CUSTOM_LABELS", "org.opencontainers.image.url=https://app.example"}}), kCi, 0);
  EXPECT_EQ(labels.at("org.opencontainers.image.url"), "https://app.example");
  EXPECT_EQ(labels.at("org.opencontainers.image.created"), "1970-01-01T00:00:00Z");
}

// plugins/docker: source is the git remote (DRONE_REMOTE_URL), url the web link (link,
// DRONE_REPO_LINK), label_schema adds more under the same prefix.
TEST(Labels, PluginsDockerLinkRemoteAndLabelSchema) {
  const Labels labels = image_labels(settings_of({{"DRONE_REMOTE_URL", "https://ci:tok@git.example/o/r.git"},
                                                  {"PLUGIN_REPO_LINK", "https://app.example/o/r"},
                                                  {"PLUGIN_LABEL_SCHEMA", "description=The app,vendor=Team"}}),
                                     kCi, 0);
  EXPECT_EQ(labels.at("org.opencontainers.image.source"), "https://git.example/o/r.git");
  EXPECT_EQ(labels.at("org.opencontainers.image.url"), "https://app.example/o/r");
  EXPECT_EQ(labels.at("org.opencontainers.image.description"), "The app");
  EXPECT_EQ(labels.at("org.opencontainers.image.vendor"), "Team");
  EXPECT_EQ(image_labels(settings_of({{"PLUGIN_LABEL_SCHEMA", "description=x"}, {"PLUGIN_AUTO_LABEL", "false"}}), kCi, 0),
            Labels{});
  try {
    image_labels(settings_of({{"PLUGIN_LABEL_SCHEMA", "novalue"}}), kCi, 0);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "setting label_schema: 'novalue' is not in the form name=value");
  }
}

TEST(Labels, NoShaNoUrlMeansOnlyCreated) {
  EXPECT_EQ(image_labels(settings_of({}), CiContext{}, 0), (Labels{{"org.opencontainers.image.created", "1970-01-01T00:00:00Z"}}));
}

TEST(Labels, CredentialsNeverReachALabel) {
  CiContext ci = kCi;
  ci.repo_url = "https://gitlab-ci-token:glpat-secret@gitlab.example/o/r.git";
  const Labels labels = image_labels(settings_of({}), ci, 0);
  EXPECT_EQ(labels.at("org.opencontainers.image.source"), "https://gitlab.example/o/r.git");
  for (const auto& [key, value] : labels) EXPECT_EQ(value.find("secret"), std::string::npos) << key;
}

TEST(Labels, WithoutUserinfo) {
  for (const auto& [in, out] : std::vector<std::pair<std::string, std::string>>{
           {"https://user:tok@host/x", "https://host/x"},
           {"https://tok@host:8443/x?y=a@b", "https://host:8443/x?y=a@b"},
           {"https://host/x@y", "https://host/x@y"},
           {"user:tok@host/x", "host/x"},
           {"", ""}})
    EXPECT_EQ(without_userinfo(in), out) << in;
}

TEST(Labels, BadCustomLabelNamesTheSetting) {
  try {
    image_labels(settings_of({{"PLUGIN_CUSTOM_LABELS", "novalue"}}), kCi, 0);
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "setting custom_labels: 'novalue' is not in the form key=value");
  }
}

TEST(Labels, MergedLastIntoConfigLabels) {
  const oci::Json config = oci::parse_json(R"({"config":{"Labels":{"keep":"1","a":"old"}}})", "config");
  EXPECT_EQ(with_labels(config, {{"a", "new"}}).dump(), R"({"config":{"Labels":{"keep":"1","a":"new"}}})");
  EXPECT_EQ(with_labels(oci::parse_json("{}", "config"), {{"a", "1"}}).dump(), R"({"config":{"Labels":{"a":"1"}}})");
}

}  // namespace kiln::plugin
