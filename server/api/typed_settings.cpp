#include "server/api/typed_settings.h"

#include <algorithm>

#include "core/error.h"

namespace kiln::server {

oci::Json typed_settings(const SettingMap& settings, const SettingsTable& table) {
  oci::Json out = oci::Json::object();
  for (const auto& [name, value] : settings) {
    const auto spec = std::find_if(table.begin(), table.end(), [&](const SettingSpec& s) { return s.name == name; });
    if (spec == table.end() || spec->secret) continue;  // never stored; kept out should one ever be
    out[name] = value;
    if (spec->type == SettingType::text) continue;
    try {
      std::vector<std::string> warnings;
      const Settings parsed = Settings::load(table, Env{}, {"--" + name + "=" + value}, &warnings);
      if (spec->type == SettingType::boolean)
        out[name] = parsed.get_bool(name);
      else
        out[name] = parsed.get_list(name, spec->list_separators);
    } catch (const kiln::Error&) {
    }
  }
  return out;
}

}  // namespace kiln::server
