// The parity table against the anchors' own lists of settings (tests/plugin/anchor-settings/,
// extracted from their source): every setting of every anchor is classified, and each
// classification holds for kiln-plugin's settings table.
#include "plugin/settings_parity.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "core/error.h"
#include "plugin/ci_context.h"
#include "plugin/outputs.h"
#include "plugin/plan.h"
#include "plugin/settings.h"

namespace kiln::plugin {
namespace {

const std::string kAnchorDir = std::string(KILN_SOURCE_DIR) + "/tests/plugin/anchor-settings/";

// Every name in an anchor's list: one per line, a comma list being a setting with its aliases.
std::vector<std::string> anchor_names(const std::string& id) {
  std::ifstream in(kAnchorDir + id + ".txt");
  EXPECT_TRUE(in) << kAnchorDir + id + ".txt";
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("#")) continue;
    std::stringstream items(line);
    for (std::string item; std::getline(items, item, ',');) {
      item.erase(0, item.find_first_not_of(" \t"));
      item.erase(item.find_last_not_of(" \t\r") + 1);
      if (!item.empty()) out.push_back(item);
    }
  }
  return out;
}

const SettingSpec& spec_of(const std::string& name) {
  for (const auto& spec : setting_specs())
    if (spec.name == name) return spec;
  throw std::runtime_error("no setting " + name);
}

TEST(SettingsParity, EveryAnchorSettingIsClassifiedOnce) {
  ASSERT_EQ(anchor_parity().size(), 3u);
  for (const AnchorParity& anchor : anchor_parity()) {
    const std::vector<std::string> names = anchor_names(anchor.id);
    ASSERT_GT(names.size(), 25u) << anchor.id;
    std::multiset<std::string> classified;
    for (const auto& e : anchor.entries) classified.insert(e.variable);
    for (const std::string& name : names)
      EXPECT_EQ(classified.count(name), 1u) << anchor.id << ": " << name << " must be classified exactly once";
    for (const auto& e : anchor.entries)
      EXPECT_NE(std::find(names.begin(), names.end(), e.variable), names.end())
          << anchor.id << ": " << e.variable << " is not in the anchor's list";
    for (const auto& e : anchor.entries)
      if (e.parity != Parity::same) {
        EXPECT_FALSE(e.how.empty()) << anchor.id << ": " << e.variable << " must say how";
      }
  }
}

// Accepted ones are read by a setting (or the CI context); warned ones are the settings that
// warn; refused ones make the plan fail naming their setting.
TEST(SettingsParity, EachClassificationHolds) {
  for (const AnchorParity& anchor : anchor_parity()) {
    for (const ParityEntry& e : anchor.entries) {
      const std::string setting = setting_reading(e.variable);
      const bool ci_variable = std::any_of(ci_variables_read().begin(), ci_variables_read().end(),
                                           [&](const CiVariable& v) { return v.variable == e.variable; });
      SCOPED_TRACE(anchor.id + " " + e.variable);
      EXPECT_TRUE(!setting.empty() || ci_variable) << "no setting reads it";
      if (setting.empty()) continue;
      // The variable alone sets the setting, with no "unknown setting" warning.
      std::vector<std::string> warnings;
      const Settings settings = load_settings(Env{{{e.variable, "x"}}}, {}, &warnings);
      EXPECT_EQ(settings.get(setting), "x");
      const bool warns = !spec_of(setting).ignored_reason.empty();
      EXPECT_EQ(warns, e.parity == Parity::warned);
      EXPECT_EQ(warnings.size(), warns ? 1u : 0u);
      if (warns && !warnings.empty()) {
        EXPECT_EQ(warnings.front().rfind("setting " + setting + " has no effect: ", 0), 0u);
      }
      if (e.parity == Parity::refused) {
        const Env env{{{e.variable, "x"}, {"PLUGIN_REPO", "r.example/app"}, {"PLUGIN_DOCKERFILE", "Dockerfile"}}};
        try {
          make_plan(load_settings(env, {}, nullptr), env);
          ADD_FAILURE() << "not refused";
        } catch (const Error& error) {
          EXPECT_EQ(error.exit_class(), ExitClass::usage);
          EXPECT_EQ(std::string(error.what()).rfind("setting " + setting + ": ", 0), 0u) << error.what();
        }
      }
    }
  }
}

TEST(SettingsParity, CiVariablesAreReadByTheCiContext) {
  const CiContext empty = read_ci_context(Env{{{"DRONE", "true"}}});
  for (const CiVariable& v : ci_variables_read()) {
    SCOPED_TRACE(v.variable);
    const Env env{{{"DRONE", "true"}, {v.variable, "refs/heads/x"}}};
    if (v.variable == "DRONE_OUTPUT") {
      EXPECT_EQ(output_files(load_settings(env, {}, nullptr), env).drone_output, "refs/heads/x");
    } else {
      EXPECT_NE(read_ci_context(env), empty);
    }
  }
}

// docs/settings-parity.md holds what the table generates (ci/update-readme.sh writes it).
TEST(SettingsParity, DocumentIsTheGeneratedTable) {
  std::ifstream in(std::string(KILN_SOURCE_DIR) + "/docs/settings-parity.md");
  std::stringstream text;
  text << in.rdbuf();
  const std::string doc = text.str();
  const std::string start = "<!-- settings-parity:start -->\n", end = "<!-- settings-parity:end -->";
  const auto from = doc.find(start), to = doc.find(end);
  ASSERT_NE(from, std::string::npos);
  ASSERT_NE(to, std::string::npos);
  EXPECT_EQ(doc.substr(from + start.size(), to - from - start.size()), settings_parity_markdown())
      << "run ci/update-readme.sh";
}

}  // namespace
}  // namespace kiln::plugin
