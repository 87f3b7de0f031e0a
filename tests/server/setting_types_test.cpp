// The types in kiln-plugin's and kiln-verify's settings tables (what kiln-server returns a
// setting as) against how each program's code reads the setting: a setting read with get_bool
// only is a boolean, one read with get_list only is a list split on the same separators, and a
// typed setting is read so. A setting read both ways is text.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>

#include "core/settings.h"
#include "plugin/settings.h"
#include "verify/cli/settings_table.h"

namespace kiln::server {
namespace {

struct Reads {
  std::set<std::string> as_bool;
  std::map<std::string, std::set<char>> as_list;  ///< name -> every separator any call splits on
};

std::string unescape(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size()) {
      const char c = text[++i];
      out += c == 'n' ? '\n' : c == 't' ? '\t' : c;
    } else {
      out += text[i];
    }
  }
  return out;
}

// The calls with a literal name, and the helpers that pass one on (kaniko's tri-state booleans,
// build_args' separators).
Reads reads_of(const std::string& dir) {
  static const std::regex bool_call(R"re((?:get_bool|tri_state)\((?:settings, )?"([a-z_]+)"\))re");
  static const std::regex list_call(R"re((?:get_list|append_pairs)\((?:settings, )?"([a-z_]+)"(?:, "((?:[^"\\]|\\.)*)")?)re");
  static const std::regex list_loop(R"re(for \(const char\* setting : \{([^}]*)\}\)\s*for \(const std::string& item : settings\.get_list\(setting\)\))re");
  Reads reads;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(std::string(KILN_SOURCE_DIR) + "/" + dir)) {
    if (entry.path().extension() != ".cpp") continue;
    std::ifstream in(entry.path());
    const std::string text{std::istreambuf_iterator<char>(in), {}};
    for (std::sregex_iterator m(text.begin(), text.end(), bool_call), end; m != end; ++m) reads.as_bool.insert((*m)[1]);
    for (std::sregex_iterator m(text.begin(), text.end(), list_call), end; m != end; ++m) {
      const std::string separators = (*m)[2].matched ? unescape((*m)[2]) : ",\n;";
      reads.as_list[(*m)[1]].insert(separators.begin(), separators.end());
    }
    for (std::sregex_iterator m(text.begin(), text.end(), list_loop), end; m != end; ++m) {
      const std::string names = (*m)[1];
      static const std::regex quoted(R"re("([a-z_]+)")re");
      for (std::sregex_iterator q(names.begin(), names.end(), quoted), qend; q != qend; ++q)
        reads.as_list[(*q)[1]].insert({',', '\n', ';'});
    }
  }
  return reads;
}

void expect_types_match_reads(const SettingsTable& table, const Reads& reads, const std::set<std::string>& text_by_design,
                              const std::string& program) {
  EXPECT_FALSE(reads.as_bool.empty()) << program << ": no get_bool call found; the scan is broken";
  for (const SettingSpec& spec : table) {
    const bool as_bool = reads.as_bool.count(spec.name) > 0;
    const auto list = reads.as_list.find(spec.name);
    const bool as_list = list != reads.as_list.end();
    if (as_bool && as_list) {
      EXPECT_EQ(spec.type, SettingType::text) << program << " " << spec.name << " is read both as a boolean and as a list: type it text";
    } else if (as_bool && !text_by_design.count(spec.name)) {
      EXPECT_EQ(spec.type, SettingType::boolean) << program << " reads " << spec.name << " with get_bool: type it boolean in its table";
    } else if (as_list) {
      EXPECT_EQ(spec.type, SettingType::list) << program << " reads " << spec.name << " with get_list: type it list in its table";
      EXPECT_EQ(std::set<char>(spec.list_separators.begin(), spec.list_separators.end()), list->second)
          << program << " " << spec.name << ": the table's list separators are not those its get_list calls split on";
    } else {
      EXPECT_EQ(spec.type, SettingType::text) << program << " " << spec.name << " is typed, but no get_bool or get_list reads it";
    }
  }
}

}  // namespace

TEST(SettingTypes, KilnPluginsTableTypesEverySettingAsItsCodeReadsIt) {
  expect_types_match_reads(plugin::setting_specs(), reads_of("plugin"), {}, "kiln-plugin");
}

TEST(SettingTypes, KilnVerifysTableTypesEverySettingAsItsCodeReadsIt) {
  // app_suite is true, false or auto: read with get() first.
  expect_types_match_reads(verify::verify_setting_specs(), reads_of("verify"), {"app_suite"}, "kiln-verify");
}

TEST(SettingTypes, ATypeForASettingTheTableLacksIsRefused) {
  EXPECT_THROW(with_setting_types({SettingSpec{"a"}}, {{"b", SettingType::boolean}}), std::logic_error);
  const SettingsTable typed = with_setting_types({SettingSpec{"a"}}, {{"a", SettingType::list, ";"}});
  EXPECT_EQ(typed[0].type, SettingType::list);
  EXPECT_EQ(typed[0].list_separators, ";");
}

}  // namespace kiln::server
