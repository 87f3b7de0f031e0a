#pragma once
// kiln-verify's settings: the same contract as kiln-plugin (PLUGIN_*, KILN_*, --flags; see
// core/settings.h), so a verify step sits next to the build step with the same credentials.
#include "core/settings.h"

namespace kiln::verify {

/// Every setting, in the order --help lists them.
const SettingsTable& verify_setting_specs();

/// The --help text.
std::string verify_help_text();

/// The settings reference of README.md (`kiln-verify --settings-reference`, put there by
/// ci/update-readme.sh): how settings are given, then the table.
std::string verify_settings_reference_markdown();

}  // namespace kiln::verify
