#pragma once
// How kiln-plugin answers each setting of the plugins it replaces: the same effect, a different
// one (and how), refused (exit 2, and why) or accepted with a warning that it means nothing here.
// docs/settings-parity.md is generated from this table (`kiln-plugin --settings-parity`); a test
// checks it against the anchors' own lists of settings (tests/plugin/anchor-settings/).
#include <string>
#include <vector>

namespace kiln::plugin {

enum class Parity { same, differs, refused, warned };
std::string to_string(Parity parity);

struct ParityEntry {
  std::string variable;  ///< as the anchor reads it: PLUGIN_TAGS, DRONE_REMOTE_URL...
  Parity parity = Parity::same;
  std::string how;  ///< for differs, refused and warned: what kiln does instead, and why
};

struct AnchorParity {
  std::string id;      ///< the name of its list: drone-kaniko, plugin-kaniko, drone-docker
  std::string title;   ///< e.g. "drone-kaniko (plugins/kaniko)"
  std::vector<ParityEntry> entries;
};

/// Every anchor's settings, in the order of its list.
const std::vector<AnchorParity>& anchor_parity();

/// kiln's setting that reads `variable` (PLUGIN_<name or alias>, or a plain variable a setting
/// lists), or "" when no setting does.
std::string setting_reading(const std::string& variable);

/// The CI variables the anchors read that kiln reads as part of the CI context, not as settings,
/// with what kiln uses them for.
struct CiVariable {
  std::string variable, use;
};
const std::vector<CiVariable>& ci_variables_read();

/// docs/settings-parity.md's generated part.
std::string settings_parity_markdown();

}  // namespace kiln::plugin
