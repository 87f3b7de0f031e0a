// Every setting name kiln's code looks up as a literal (settings.get("…"), has, get_bool, …) is a
// canonical name in the table of the program that code belongs to, so a misspelt or alias name
// fails here even when no test happens to run the line; at run time kiln::Settings throws
// std::logic_error for such a name (tests/core/settings_lookup_test.cpp).
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>
#include <set>

#include "plugin/settings.h"
#include "tests/ship/source_tree.h"
#include "tests/support/files.h"
#include "verify/cli/settings_table.h"

namespace kiln::ship {
namespace {

namespace fs = std::filesystem;

std::set<std::string> names_of(const SettingsTable& table) {
  std::set<std::string> out;
  for (const auto& spec : table) out.insert(spec.name);
  return out;
}

struct Lookup {
  std::string file;
  std::string name;
};

// receiver.get("name") and the other getters, wherever the receiver is a Settings.
std::vector<std::string> names_looked_up_in(const std::string& text) {
  static const std::regex lookup(
      R"re(\b(settings|given|plugin_settings)(\.|->)(get|has|get_bool|get_int|get_duration|get_list)\("([a-z0-9_]+)")re");
  std::vector<std::string> out;
  for (std::sregex_iterator it(text.begin(), text.end(), lookup), end; it != end; ++it) out.push_back((*it)[4]);
  return out;
}

std::vector<Lookup> literal_lookups(const fs::path& folder) {
  std::vector<Lookup> out;
  for (const auto& f : fs::recursive_directory_iterator(kSource / folder)) {
    if (!f.is_regular_file() || (f.path().extension() != ".cpp" && f.path().extension() != ".h")) continue;
    for (auto& name : names_looked_up_in(kiln::testing::read_file(f.path())))
      out.push_back({fs::relative(f.path(), kSource).string(), std::move(name)});
  }
  return out;
}

void expect_known(const fs::path& folder, const std::set<std::string>& known, std::size_t* count) {
  for (const auto& [file, name] : literal_lookups(folder)) {
    ++*count;
    EXPECT_TRUE(known.count(name)) << file << " looks up setting '" << name
                                   << "', which is no setting's name in the table of its program";
  }
}

TEST(SettingLookups, EveryLiteralNameIsInItsProgramsTable) {
  const auto plugin_names = names_of(plugin::setting_specs());
  const auto verify_names = names_of(verify::verify_setting_specs());
  std::set<std::string> either = plugin_names;
  either.insert(verify_names.begin(), verify_names.end());
  std::set<std::string> both;
  for (const auto& name : plugin_names)
    if (verify_names.count(name)) both.insert(name);

  std::size_t count = 0;
  expect_known("plugin", plugin_names, &count);
  expect_known("verify", verify_names, &count);
  expect_known("bench", plugin_names, &count);       // kiln-bench takes kiln-plugin's settings
  expect_known("server", either, &count);            // it validates both programs' settings
  expect_known("library", either, &count);
  expect_known("core", both, &count);                // core/program.cpp serves every program
  EXPECT_GT(count, 150u) << "the scan found too few lookups: has the getters' spelling changed?";
}

TEST(SettingLookups, TheScanSeesEachGetterAndReceiver) {
  const std::string text = R"(if (settings.get_bool("skip_tls_verfy")) x = given.get("repo");
    const auto n = settings->get_int("retries"); plugin_settings.has("tags"); other.get("not_a_setting");)";
  EXPECT_EQ(names_looked_up_in(text), (std::vector<std::string>{"skip_tls_verfy", "repo", "retries", "tags"}));
  EXPECT_FALSE(names_of(plugin::setting_specs()).count("skip_tls_verfy"));
}

}  // namespace
}  // namespace kiln::ship
