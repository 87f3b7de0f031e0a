#pragma once
// The CI step contract: every setting kiln-plugin reads, from PLUGIN_* variables (Drone,
// Woodpecker), KILN_* variables (GitLab job variables), or --flags (a person). One table
// describes them all; --help is generated from it.
//
// Precedence, highest first: --flag, PLUGIN_<NAME or alias>, KILN_<NAME or alias>, then the
// plain variables a spec lists in `env` (DOCKER_USERNAME...), then the table default.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/env.h"

namespace kiln::plugin {

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
};

/// The table of every setting, in the order --help lists them.
const std::vector<SettingSpec>& setting_specs();

/// Raw values by canonical name, as given (after alias resolution).
class Settings {
 public:
  /// Reads PLUGIN_*, then KILN_* and the specs' plain variables for what is still unset, then
  /// applies argv flags (--name value | --name=value) over them. Throws kiln::Error(usage) for
  /// an unknown flag or a missing value. Unknown PLUGIN_*/KILN_* variables are reported through
  /// `warnings` with the closest known name, and so is each ignored setting that is set.
  static Settings load(const Env& env, const std::vector<std::string>& args, std::vector<std::string>* warnings);

  /// The value, or the table default; empty string when neither.
  std::string get(const std::string& name) const;
  bool has(const std::string& name) const;
  /// "true/false/yes/no/1/0/on/off"; throws naming the setting otherwise.
  bool get_bool(const std::string& name) const;
  std::int64_t get_int(const std::string& name) const;
  /// A list split on any of `separators`, or a JSON array; trimmed, empties dropped.
  std::vector<std::string> get_list(const std::string& name, std::string_view separators = ",\n;") const;

  bool help_requested() const { return help_; }
  bool version_requested() const { return version_; }
  /// The hidden --settings-reference flag (prints settings_reference_markdown()).
  bool reference_requested() const { return reference_; }

 private:
  std::map<std::string, std::string> values_;
  bool help_ = false;
  bool version_ = false;
  bool reference_ = false;
};

/// The --help text, generated from setting_specs().
std::string help_text();

/// The settings reference of README.md, generated from setting_specs(): one Markdown table of
/// the settings in effect (name, aliases, default, description, plain variables read), one of
/// the settings accepted but ignored with the reason, and a note on PLUGIN_*, KILN_* and flags.
/// `kiln-plugin --settings-reference` prints it; ci/update-readme.sh puts it into README.md.
std::string settings_reference_markdown();

/// The closest known setting name to `word` (edit distance), for "did you mean" messages.
std::string closest_setting(const std::string& word);

}  // namespace kiln::plugin
