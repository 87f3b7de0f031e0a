#pragma once
// kiln-plugin's settings table (the mechanism is core/settings.h): every setting of the plugins
// it replaces, their aliases, and the ones accepted without effect.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/env.h"
#include "core/settings.h"

namespace kiln::plugin {

using kiln::SettingSpec;
using kiln::Settings;

/// The table of every setting, in the order --help lists them.
const std::vector<SettingSpec>& setting_specs();

/// kiln-plugin's settings from the environment and argv (see kiln::Settings::load).
Settings load_settings(const Env& env, const std::vector<std::string>& args, std::vector<std::string>* warnings);

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
