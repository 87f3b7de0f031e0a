#include "server/policy/build_paths.h"

#include <fmt/format.h>

#include <filesystem>
#include <optional>
#include <vector>

#include "core/error.h"
#include "core/path_inside.h"
#include "core/settings.h"
#include "core/text.h"
#include "oci/json.h"
#include "plugin/settings.h"
#include "verify/cli/settings_table.h"

namespace kiln::server {
namespace fs = std::filesystem;
namespace {

const SettingsTable& table_of(Program program) {
  return program == Program::plugin ? plugin::setting_specs() : verify::verify_setting_specs();
}

const char* section_of(Program program) { return program == Program::plugin ? "settings" : "verify"; }

// A docker config.json may name credential helpers: programs found in the server's PATH that
// answer with the server's own credentials for whatever registry the document names.
void check_docker_config(const std::string& value, const std::string& where) {
  const oci::Json doc = oci::Json::parse(value, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object()) return;  // kiln-plugin / kiln-verify say what is wrong, without quoting it
  for (const char* key : {"credHelpers", "credsStore"})
    if (doc.contains(key) && !doc[key].is_null() && !doc[key].empty())
      throw_usage(fmt::format("{}: refused: its {} would run a credential helper installed on the server, which "
                              "answers with the server's own credentials",
                              where, key));
}

// The settings as kiln-plugin / kiln-verify load them, so lists split exactly as theirs do.
Settings load_as_program(Program program, const SettingMap& plain, const SettingMap& secret) {
  Env env;
  for (const SettingMap* map : {&plain, &secret})
    for (const auto& [name, value] : *map) {
      std::string variable = "PLUGIN_";
      for (char c : name) variable += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      env.vars[variable] = value;
    }
  std::vector<std::string> ignored_warnings;
  return Settings::load(table_of(program), env, {}, &ignored_warnings);
}

std::string after_equals(const std::string& item) {
  const auto eq = item.find('=');
  return eq == std::string::npos ? item : item.substr(eq + 1);
}

// The paths in a context_path setting's value.
std::vector<std::string> paths_in(const SettingPolicy& policy, const Settings& settings, const std::string& where) {
  const std::string name(policy.name);
  std::vector<std::string> out;
  switch (policy.form) {
    case PathForm::single:
    case PathForm::below_context:
      out.push_back(settings.get(name));
      break;
    case PathForm::list:
      out = settings.get_list(name);
      break;
    case PathForm::keyed_list:
      for (const std::string& item : settings.get_list(name)) out.push_back(after_equals(item));
      break;
    case PathForm::client_certs:
      for (const std::string& item : settings.get_list(name))
        for (const std::string& file : split(after_equals(item), ',')) out.push_back(file);
      break;
    case PathForm::secret_sources:
      for (const std::string& item : settings.get_list(name))
        for (const std::string& field : split(item, ',')) {
          const auto eq = field.find('=');
          const std::string key = field.substr(0, eq);
          if (eq == std::string::npos) continue;
          if (key == "src" || key == "source") out.push_back(field.substr(eq + 1));
          if (key == "env")
            throw_usage(fmt::format("{}: refused: env= reads kiln-server's own environment variables, which are the "
                                    "server's and not the client's; use src= with a file in the build context",
                                    where));
        }
      break;
  }
  std::erase_if(out, [](const std::string& p) { return p.empty(); });
  return out;
}

void require_inside(const fs::path& root, const std::string& path, const std::string& where, const std::string& what) {
  if (path.find("://") != std::string::npos)
    throw_usage(fmt::format("{}: '{}' is a URL; kiln-server builds read files only from the build context", where, path));
  if (!resolve_inside(root, path))
    throw_usage(fmt::format("{}: {}'{}' is outside the build context (after '..' and symlinks)", where, what, path));
}

bool exists_as_entry(const fs::path& path) {
  std::error_code ec;
  return fs::exists(fs::symlink_status(path, ec));
}

void check_program(Program program, const SettingMap& plain, const SettingMap& secret, const fs::path& context,
                   const std::string& prefix) {
  const Settings settings = load_as_program(program, plain, secret);
  const SettingsTable& table = table_of(program);
  fs::path plugin_context = context;  // the plugin's own `context` setting, where context_sub_path starts
  if (program == Program::plugin) {
    const std::string value = settings.get("context");
    require_inside(context, value, prefix + "settings.context", "");
    plugin_context = *resolve_inside(context, value.empty() ? "." : value);
    // Read by the native backend whenever it exists, like the Dockerfile.
    if (exists_as_entry(plugin_context / ".dockerignore") && !resolve_inside(context, plugin_context / ".dockerignore"))
      throw_usage(fmt::format("{}context: its .dockerignore is outside the build context (a symlink out of it)", prefix));
  }
  for (const SettingPolicy& policy : setting_policies(program)) {
    if (policy.use != SettingUse::context_path || policy.name == "context") continue;
    const std::string name(policy.name);
    const std::string where = fmt::format("{}{}.{}", prefix, section_of(program), name);
    const fs::path& root = policy.form == PathForm::below_context ? plugin_context : context;
    if (settings.has(name)) {
      for (const std::string& path : paths_in(policy, settings, where)) require_inside(root, path, where, "");
      continue;
    }
    // Unset: the file the program reads by default, when there is one.
    std::string implicit(policy.implicit_path);
    if (implicit.empty())
      for (const auto& spec : table)
        if (spec.name == name) implicit = spec.default_value;
    if (!implicit.empty() && exists_as_entry(root / implicit)) require_inside(root, implicit, where, "the default ");
  }
}

}  // namespace

void check_setting(Program program, const std::string& name, const std::string& value, const std::string& where) {
  const SettingPolicy* policy = find_setting_policy(program, name);
  if (!policy)
    throw_usage(fmt::format("{}: refused: kiln-server does not know what this setting may do on the server", where));
  switch (policy->use) {
    case SettingUse::plain:
    case SettingUse::no_effect:
    case SettingUse::context_path:
      return;
    case SettingUse::docker_config:
      check_docker_config(value, where);
      return;
    case SettingUse::server_owned:
      throw_usage(fmt::format("{}: set by kiln-server, not by a request", where));
    case SettingUse::refused:
      for (std::string_view harmless : policy->harmless_values)
        if (value == harmless) return;
      throw_usage(fmt::format("{}: refused: it {}", where, policy->reason));
  }
}

void check_paths_inside_context(const BuildSpec& spec, const std::string& prefix) {
  const fs::path context = spec.context_dir;
  check_program(Program::plugin, spec.settings, spec.secret_settings, context, prefix);
  if (spec.verify) check_program(Program::verify, spec.verify_settings, spec.verify_secret_settings, context, prefix);
}

}  // namespace kiln::server
