// kiln-verify's documents cannot drift from the code: docs/verify.md's settings reference is the one
// the settings table generates, and the README's pipeline examples use only settings kiln-verify knows
// (`settings:` keys for Drone and Woodpecker, KILN_* job variables for GitLab, parsed as YAML).
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "verify/cli/settings_table.h"

namespace kiln::verify {
namespace {

struct Example {
  std::string name;
  std::string yaml;
};

std::vector<Example> verify_examples() {
  std::ifstream in(KILN_SOURCE_DIR "/README.md");
  std::vector<Example> out;
  const std::string marker = "<!-- verify-example:";
  bool in_block = false;
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with(marker)) {
      out.push_back({line.substr(marker.size(), line.find(' ', marker.size()) - marker.size()), {}});
    } else if (!out.empty() && out.back().yaml.empty() && !in_block && line == "```yaml") {
      in_block = true;
    } else if (in_block && line == "```") {
      in_block = false;
    } else if (in_block) {
      out.back().yaml += line + "\n";
    }
  }
  return out;
}

bool known(const std::string& name) {
  for (const auto& spec : verify_setting_specs()) {
    if (spec.name == name) return true;
    if (std::find(spec.aliases.begin(), spec.aliases.end(), name) != spec.aliases.end()) return true;
  }
  return false;
}

// Every `settings:` map and KILN_ variable anywhere in the document.
void collect(const YAML::Node& node, std::vector<std::string>& names) {
  if (node.IsMap()) {
    for (const auto& item : node) {
      const std::string key = item.first.as<std::string>();
      if (key == "settings" && item.second.IsMap())
        for (const auto& setting : item.second) names.push_back(setting.first.as<std::string>());
      if (key == "variables" && item.second.IsMap())
        for (const auto& var : item.second) {
          const std::string v = var.first.as<std::string>();
          if (!v.starts_with("KILN_")) continue;
          std::string name = v.substr(5);
          std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
          names.push_back(name);
        }
      collect(item.second, names);
    }
  } else if (node.IsSequence()) {
    for (const auto& item : node) collect(item, names);
  }
}

std::string verify_doc() {
  std::ifstream in(KILN_SOURCE_DIR "/docs/verify.md");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(ReadmeVerifySettings, ReferenceIsGenerated) {
  const std::string text = verify_doc();
  const std::string start = "<!-- verify-settings-reference:start -->\n", end = "<!-- verify-settings-reference:end -->";
  const auto from = text.find(start), to = text.find(end);
  ASSERT_NE(from, std::string::npos) << "docs/verify.md lacks " << start;
  ASSERT_NE(to, std::string::npos) << "docs/verify.md lacks " << end;
  EXPECT_EQ(text.substr(from + start.size(), to - from - start.size()), verify_settings_reference_markdown())
      << "docs/verify.md's kiln-verify settings reference is stale; run: cmake --build build && ci/update-readme.sh";
}

TEST(ReadmeVerifySettings, ReferenceListsEverySetting) {
  const std::string md = verify_settings_reference_markdown();
  for (const auto& spec : verify_setting_specs()) EXPECT_NE(md.find("| `" + spec.name + "` |"), std::string::npos) << spec.name;
  EXPECT_NE(md.find("Registry password or token (secret)"), std::string::npos);
}

TEST(ReadmeVerifyExamples, UseOnlySettingsKilnVerifyKnows) {
  const auto examples = verify_examples();
  ASSERT_GE(examples.size(), 2u) << "README.md lacks <!-- verify-example:... --> blocks";
  for (const auto& example : examples) {
    const YAML::Node doc = YAML::Load(example.yaml);
    std::vector<std::string> names;
    collect(doc, names);
    EXPECT_GE(names.size(), 3u) << example.name;
    for (const auto& name : names) EXPECT_TRUE(known(name)) << "example " << example.name << " uses " << name;
  }
}

TEST(ReadmeVerifyExamples, TheGitlabJobPublishesTheReportEvenWhenItFails) {
  for (const auto& example : verify_examples()) {
    if (example.name != "gitlab") continue;
    const YAML::Node job = YAML::Load(example.yaml)["verify-image"];
    EXPECT_EQ(job["artifacts"]["when"].as<std::string>(), "always");
    EXPECT_EQ(job["artifacts"]["reports"]["junit"].as<std::string>(), job["variables"]["KILN_JUNIT"].as<std::string>());
    return;
  }
  FAIL() << "no gitlab verify example";
}

}  // namespace
}  // namespace kiln::verify
