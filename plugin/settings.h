#pragma once
// The CI step contract: every setting kiln-plugin reads, from PLUGIN_* variables (Drone,
// Woodpecker) or --flags (a person). One table describes them all; --help is generated from it.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/env.h"

namespace kiln::plugin {

struct SettingSpec {
  std::string name;                  ///< snake_case: PLUGIN_<NAME> and --name
  std::vector<std::string> aliases;  ///< other names users of today's plugins write
  std::string default_value;
  std::string help;
  bool secret = false;               ///< never printed; registered for redaction
};

/// The table of every setting, in the order --help lists them.
const std::vector<SettingSpec>& setting_specs();

/// Raw values by canonical name, as given (after alias resolution).
class Settings {
 public:
  /// Reads PLUGIN_* from env, then applies argv flags (--name value | --name=value) over them.
  /// Throws kiln::Error(usage) for an unknown flag or a missing value. Unknown PLUGIN_*
  /// variables are reported through `warnings` with the closest known name.
  static Settings load(const Env& env, const std::vector<std::string>& args, std::vector<std::string>* warnings);

  /// The value, or the table default; empty string when neither.
  std::string get(const std::string& name) const;
  bool has(const std::string& name) const;
  /// "true/false/yes/no/1/0/on/off"; throws naming the setting otherwise.
  bool get_bool(const std::string& name) const;
  std::int64_t get_int(const std::string& name) const;
  /// A list: commas, newlines or ';', or a JSON array; trimmed, empties dropped.
  std::vector<std::string> get_list(const std::string& name) const;

  bool help_requested() const { return help_; }
  bool version_requested() const { return version_; }

 private:
  std::map<std::string, std::string> values_;
  bool help_ = false;
  bool version_ = false;
};

/// The --help text, generated from setting_specs().
std::string help_text();

/// The closest known setting name to `word` (edit distance), for "did you mean" messages.
std::string closest_setting(const std::string& word);

}  // namespace kiln::plugin
