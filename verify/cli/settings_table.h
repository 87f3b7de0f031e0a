#pragma once
// kiln-verify's settings: the same contract as kiln-plugin (PLUGIN_*, KILN_*, --flags; see
// core/settings.h), so a verify step sits next to the build step with the same credentials.
#include "core/settings.h"

namespace kiln::verify {

/// Every setting, in the order --help lists them.
const SettingsTable& verify_setting_specs();

/// The --help text.
std::string verify_help_text();

}  // namespace kiln::verify
