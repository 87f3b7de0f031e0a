// The documents are checked against the code: docs/settings.md is the reference the settings table
// generates, and every setting the README's CI examples use is one kiln-plugin accepts.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "plugin/settings.h"

namespace kiln::plugin {
namespace {

const std::string kReadme = std::string(KILN_SOURCE_DIR) + "/README.md";
const std::string kSettingsDoc = std::string(KILN_SOURCE_DIR) + "/docs/settings.md";

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string read_readme() { return read_text(kReadme); }

std::vector<std::string> readme_lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

std::size_t indent_of(const std::string& line) { return line.find_first_not_of(' '); }

bool known_setting(std::string name) {
  std::replace(name.begin(), name.end(), '-', '_');  // Woodpecker turns - and . into _
  std::replace(name.begin(), name.end(), '.', '_');
  for (const auto& spec : setting_specs()) {
    if (spec.name == name) return true;
    if (std::find(spec.aliases.begin(), spec.aliases.end(), name) != spec.aliases.end()) return true;
  }
  return false;
}

// The YAML of the fenced block following the line `<!-- example:<name> -->`.
struct Example {
  std::string name;
  std::vector<std::string> yaml;
};

std::vector<Example> readme_examples() {
  std::vector<Example> out;
  const auto lines = readme_lines_of(read_readme());
  const std::string marker = "<!-- example:";
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (!lines[i].starts_with(marker)) continue;
    Example ex{lines[i].substr(marker.size(), lines[i].find(' ', marker.size()) - marker.size()), {}};
    std::size_t j = i + 1;
    while (j < lines.size() && lines[j].empty()) ++j;
    EXPECT_TRUE(j < lines.size() && lines[j] == "```yaml") << "example " << ex.name << " is not followed by a ```yaml block";
    for (++j; j < lines.size() && lines[j] != "```"; ++j) ex.yaml.push_back(lines[j]);
    out.push_back(ex);
  }
  return out;
}

// The keys directly under every `<section>:` line of a YAML block (simple block style only).
std::vector<std::string> keys_under(const std::vector<std::string>& yaml, const std::string& section) {
  std::vector<std::string> keys;
  for (std::size_t i = 0; i < yaml.size(); ++i) {
    const std::size_t indent = indent_of(yaml[i]);
    if (indent == std::string::npos) continue;
    std::string head = yaml[i].substr(indent);
    if (head.starts_with("- ")) head = head.substr(2);
    if (head != section + ":") continue;
    std::size_t key_indent = std::string::npos;
    for (std::size_t j = i + 1; j < yaml.size(); ++j) {
      const std::size_t ind = indent_of(yaml[j]);
      if (ind == std::string::npos || yaml[j][ind] == '#') continue;
      if (ind <= indent + (yaml[i].substr(indent).starts_with("- ") ? 2 : 0)) break;
      if (key_indent == std::string::npos) key_indent = ind;
      if (ind != key_indent) continue;
      const std::string rest = yaml[j].substr(ind);
      if (const auto colon = rest.find(':'); colon != std::string::npos && !rest.starts_with("- "))
        keys.push_back(rest.substr(0, colon));
    }
  }
  return keys;
}

}  // namespace

TEST(Readme, SettingsReferenceIsGenerated) {
  const std::string readme = read_text(kSettingsDoc);
  const std::string start = "<!-- settings-reference:start -->\n", end = "<!-- settings-reference:end -->";
  const auto from = readme.find(start);
  const auto to = readme.find(end);
  ASSERT_NE(from, std::string::npos) << kSettingsDoc << " lacks the line " << start;
  ASSERT_NE(to, std::string::npos) << kSettingsDoc << " lacks the line " << end;
  ASSERT_LT(from, to);
  const auto in_readme = readme_lines_of(readme.substr(from + start.size(), to - from - start.size()));
  const auto generated = readme_lines_of(settings_reference_markdown());
  std::size_t i = 0;
  while (i < in_readme.size() && i < generated.size() && in_readme[i] == generated[i]) ++i;
  EXPECT_TRUE(i == in_readme.size() && i == generated.size())
      << "docs/settings.md's reference is not the one the settings table generates; regenerate it with\n"
         "  cmake --build build && ci/update-readme.sh\n"
         "first difference, line " << i + 1 << " of the block:\n"
      << "  document:  " << (i < in_readme.size() ? in_readme[i] : "(end)") << "\n"
      << "  generated: " << (i < generated.size() ? generated[i] : "(end)");
}

TEST(Readme, SettingsReferenceFlagIsHidden) {
  const Settings s = load_settings(Env{}, {"--settings-reference"}, nullptr);
  EXPECT_TRUE(s.reference_requested());
  EXPECT_EQ(help_text().find("settings-reference"), std::string::npos);
}

TEST(Readme, ReferenceListsEverySettingAndIgnoredOnesApart) {
  const std::string md = settings_reference_markdown();
  for (const auto& spec : setting_specs()) EXPECT_NE(md.find("`" + spec.name + "`"), std::string::npos) << spec.name;
  EXPECT_NE(md.find("| `storage_driver` | "), md.find("| `repo` | ")) << "both listed";
  EXPECT_LT(md.find("| `repo` | "), md.find("| `storage_driver` | ")) << "ignored settings in their own, later table";
  EXPECT_NE(md.find("src=file\\|env=VAR"), std::string::npos) << "a | inside a cell is escaped";
}

TEST(Readme, ExamplesUseOnlyKnownSettings) {
  const auto examples = readme_examples();
  std::vector<std::string> names;
  for (const auto& ex : examples) names.push_back(ex.name);
  for (const char* wanted : {"drone", "woodpecker", "gitlab"})
    EXPECT_NE(std::find(names.begin(), names.end(), wanted), names.end()) << "README lacks <!-- example:" << wanted << " -->";
  for (const auto& ex : examples) {
    std::vector<std::string> settings = keys_under(ex.yaml, "settings");
    for (const auto& var : keys_under(ex.yaml, "variables")) {
      if (!var.starts_with("KILN_")) continue;
      std::string name = var.substr(5);
      std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
      settings.push_back(name);
    }
    EXPECT_GE(settings.size(), 3u) << "example " << ex.name << ": no settings: or KILN_ variables found";
    for (const auto& key : settings)
      EXPECT_TRUE(known_setting(key)) << "example " << ex.name << " uses setting '" << key
                                      << "', which kiln-plugin does not accept (closest: " << closest_setting(key) << ")";
  }
}

TEST(Readme, KeysUnderReadsOnlyTheFirstLevel) {
  const std::vector<std::string> yaml = {"steps:",           "  - name: image", "    settings:",
                                         "      repo: x",    "      password:", "        from_secret: p",
                                         "      tags:",      "        - a",     "    when:",
                                         "      event: tag"};
  EXPECT_EQ(keys_under(yaml, "settings"), (std::vector<std::string>{"repo", "password", "tags"}));
}

}  // namespace kiln::plugin
