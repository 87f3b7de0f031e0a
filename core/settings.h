#pragma once
// The CI step contract shared by kiln's programs: every setting is read from PLUGIN_* variables
// (Drone, Woodpecker `settings:`), KILN_* variables (GitLab job `variables:`), or --flags (a
// person), described by one table per program; --help is generated from that table.
//
// Precedence, highest first: --flag, PLUGIN_<NAME or alias>, KILN_<NAME or alias>, then the
// plain variables a spec lists in `env` (DOCKER_USERNAME...), then the table default.
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/env.h"

namespace kiln {

/// How a program reads a setting's value: Settings::get_bool, Settings::get_list, or as text.
/// kiln-server returns submitted settings with these types (JSON booleans, arrays, strings).
enum class SettingType { text, boolean, list };

struct SettingSpec {
  std::string name;                  ///< snake_case: PLUGIN_<NAME> and --name
  std::vector<std::string> aliases;  ///< other names users of today's plugins write
  std::string default_value;
  std::string help;
  bool secret = false;               ///< never printed; registered for redaction
  /// Non-empty: accepted for compatibility but has no effect; the reason is reported once.
  std::string ignored_reason;
  /// Plain variables read when neither PLUGIN_ nor KILN_ sets it (plugins/docker's DOCKER_*).
  std::vector<std::string> env;
  SettingType type = SettingType::text;
  std::string list_separators = ",\n;";  ///< list: what get_list splits it on
};

using SettingsTable = std::vector<SettingSpec>;

struct SettingTyping {
  std::string_view name;
  SettingType type;
  std::string_view list_separators = ",\n;";
};
/// `table` with the type of each named setting set; a name the table lacks throws std::logic_error.
SettingsTable with_setting_types(SettingsTable table, std::initializer_list<SettingTyping> types);

/// Raw values by canonical name, as given (after alias resolution).
class Settings {
 public:
  /// Reads PLUGIN_*, then KILN_* and the specs' plain variables for what is still unset, then
  /// applies argv flags (--name value | --name=value) over them. Throws kiln::Error(usage) for
  /// an unknown flag or a missing value. Unknown PLUGIN_*/KILN_* variables are reported through
  /// `warnings` with the closest known name, and so is each ignored setting that is set.
  /// `table` must outlive the Settings (tables are static).
  static Settings load(const SettingsTable& table, const Env& env, const std::vector<std::string>& args,
                       std::vector<std::string>* warnings);

  /// The value, or the table default; empty string when neither. `name` must be a setting's
  /// canonical name in the table (not an alias): anything else is a mistake in kiln's code, and
  /// every getter and has() throw std::logic_error for it rather than answer "unset".
  std::string get(const std::string& name) const;
  bool has(const std::string& name) const;
  /// "true/false/yes/no/1/0/on/off"; throws naming the setting otherwise.
  bool get_bool(const std::string& name) const;
  std::int64_t get_int(const std::string& name) const;
  /// A positive Go duration ("30s", "5m", "1m30s", "1500ms"); throws kiln::Error(usage) naming
  /// the setting otherwise.
  std::chrono::milliseconds get_duration(const std::string& name) const;
  /// A list split on any of `separators`, or a JSON array; trimmed, empties dropped.
  std::vector<std::string> get_list(const std::string& name, std::string_view separators = ",\n;") const;

  bool help_requested() const { return help_; }
  bool version_requested() const { return version_; }
  /// The hidden --settings-reference flag.
  bool reference_requested() const { return reference_; }

 private:
  /// The table's entry for canonical `name`; throws std::logic_error when there is none.
  const SettingSpec& spec_of(const std::string& name) const;

  const SettingsTable* table_ = nullptr;
  std::map<std::string, std::string> values_;
  bool help_ = false;
  bool version_ = false;
  bool reference_ = false;
};

/// The closest known setting name to `word` (edit distance), for "did you mean" messages.
std::string closest_setting(const SettingsTable& table, const std::string& word);

/// The Markdown table of the settings in effect (ignored ones left out): setting, aliases,
/// default, description (secrets marked), plain variables read. For the README references.
std::string settings_markdown_table(const SettingsTable& table);

/// A Markdown table cell: '|' escaped, newlines turned into spaces.
std::string markdown_cell(std::string_view text);
/// "`a`, `b`"
std::string markdown_code_list(const std::vector<std::string>& names);

/// One line per setting ("  --name, --alias   help (default: x)"), for --help.
std::string settings_list_text(const SettingsTable& table);

}  // namespace kiln
