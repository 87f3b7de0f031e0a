#include "server/policy/plugin_rules.h"

#include <filesystem>

#include "core/settings.h"
#include "oci/json.h"
#include "plugin/ci_context.h"
#include "plugin/plan.h"
#include "plugin/settings.h"
#include "plugin/tags.h"
#include "server/engine/local_engine.h"
#include "server/policy/setting_policy.h"

namespace kiln::server {
namespace fs = std::filesystem;
namespace {

std::string in_context(const fs::path& root, const std::string& path) {
  if (path.empty() || fs::path(path).is_absolute()) return path;
  return (root / path).lexically_normal().string();
}

// kiln-plugin reads relative paths from its working directory, the build's context; the server
// has its own working directory, so each file setting is made absolute first.
std::string rebased(const SettingPolicy& policy, const Settings& settings, const fs::path& root) {
  const std::string name(policy.name);
  switch (policy.form) {
    case PathForm::single:
      return in_context(root, settings.get(name));
    case PathForm::list:
    case PathForm::keyed_list: {
      oci::Json items = oci::Json::array();
      for (const std::string& item : settings.get_list(name)) {
        const auto eq = policy.form == PathForm::keyed_list ? item.find('=') : std::string::npos;
        items.push_back(eq == std::string::npos ? in_context(root, item)
                                                : item.substr(0, eq + 1) + in_context(root, item.substr(eq + 1)));
      }
      return items.dump();  // kiln's list parser reads a JSON array as the items themselves
    }
    default:
      return "";  // read by a backend at build time, not by the plan checks
  }
}

}  // namespace

void check_plugin_rules(const BuildSpec& spec) {
  Env env;
  for (const SettingMap* map : {&spec.settings, &spec.secret_settings})
    for (const auto& [name, value] : *map) env.vars[plugin_variable(name)] = value;
  std::vector<std::string> warnings;
  const Settings given = plugin::load_settings(env, {}, &warnings);
  const fs::path context = spec.context_dir;
  for (const SettingPolicy& policy : setting_policies(Program::plugin)) {
    if (policy.use != SettingUse::context_path) continue;
    const std::string name(policy.name);
    if (!given.has(name) || policy.form == PathForm::below_context || name == "context") continue;
    if (const std::string value = rebased(policy, given, context); !value.empty()) env.vars[plugin_variable(name)] = value;
  }
  // The .tags file kiln-plugin reads by default is the context's, not the server's.
  // Without one, the checks give kiln-plugin's default tag, so that make_plan, which looks for
  // .tags in the working directory, never reads a .tags of the server's own.
  if (!given.has("tags") && !given.has("tags_file")) {
    if (fs::exists(context / ".tags")) env.vars["PLUGIN_TAGS_FILE"] = (context / ".tags").string();
    else env.vars["PLUGIN_TAGS"] = "latest";
  }
  const Settings settings = plugin::load_settings(env, {}, &warnings);
  const plugin::CiContext ci = plugin::read_ci_context(env);
  if (plugin::resolve_tags(settings, ci, context).action == plugin::TagAction::skip) return;
  (void)plugin::make_plan(settings, env);
}

}  // namespace kiln::server
