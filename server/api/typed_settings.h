#pragma once
// Settings are stored as the text kiln-plugin and kiln-verify are given; the API returns each with
// the type its program's table gives it (core/settings.h SettingType), read by the program's own
// parser: a boolean as a JSON boolean, a list as an array of strings, anything else as a string.
#include "core/settings.h"
#include "oci/json.h"
#include "server/store/build_record.h"

namespace kiln::server {

/// `settings` (canonical names of `table`, no secret ones) as a JSON object of typed values. A
/// value its type does not parse (stored by an earlier version) stays a string.
oci::Json typed_settings(const SettingMap& settings, const SettingsTable& table);

}  // namespace kiln::server
