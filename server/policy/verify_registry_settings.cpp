#include "server/policy/verify_registry_settings.h"



#include "core/base64.h"
#include "core/settings.h"
#include "oci/json.h"
#include "oci/reference.h"
#include "plugin/docker_config_writer.h"
#include "plugin/settings.h"
#include "server/engine/local_engine.h"

namespace kiln::server {
namespace {

using oci::Json;

// The host of the image the build pushes ("" when repo does not parse; kiln-plugin says why).
std::string target_registry(const Settings& settings) {
  try {
    const std::string repo = settings.get("repo");
    if (repo.empty()) return "";
    return oci::Reference::parse(repo).registry();
  } catch (const std::exception&) {
    return "";
  }
}

// kiln-plugin's `logins` ([{"registry", "username", "password"}]) and `config` as one docker
// config.json document, which kiln-verify reads as docker_config_json.
std::string docker_config(const Settings& settings) {
  Json doc = Json::object();
  if (settings.has("config")) {
    doc = Json::parse(settings.get("config"), nullptr, /*allow_exceptions=*/false);
    if (!doc.is_object()) return "";
  }
  if (settings.has("logins")) {
    const Json logins = Json::parse(settings.get("logins"), nullptr, /*allow_exceptions=*/false);
    if (logins.is_array())
      for (const auto& login : logins) {
        if (!login.is_object() || !login.value("username", Json()).is_string() || !login.value("password", Json()).is_string())
          continue;
        const std::string key = plugin::docker_config_key(login.value("registry", std::string("docker.io")));
        if (doc["auths"].contains(key)) continue;  // `config` names it already: it wins, as in kiln-plugin
        doc["auths"][key] = {{"auth", base64(login["username"].get<std::string>() + ":" + login["password"].get<std::string>())}};
      }
  }
  return doc.empty() ? "" : doc.dump();
}

}  // namespace

void inherit_registry_settings(BuildSpec& spec) {
  if (!spec.verify || spec.verify_settings.contains("image")) return;
  Env env;
  for (const SettingMap* map : {&spec.settings, &spec.secret_settings})
    for (const auto& [name, value] : *map) env.vars[plugin_variable(name)] = value;
  std::vector<std::string> warnings;
  const Settings plugin_settings = plugin::load_settings(env, {}, &warnings);
  const auto given = [&](const char* name) {
    return spec.verify_settings.contains(name) || spec.verify_secret_settings.contains(name);
  };
  const std::string host = target_registry(plugin_settings);

  if (!given("insecure")) {
    bool insecure = plugin_settings.get_bool("insecure");
    for (const std::string& h : plugin_settings.get_list("insecure_registry")) insecure |= !host.empty() && h == host;
    if (insecure) spec.verify_settings["insecure"] = "true";
  }
  if (!given("registry_certificate")) {
    for (const std::string& item : plugin_settings.get_list("registry_certificate")) {
      const auto eq = item.find('=');
      if (eq == std::string::npos) spec.verify_settings["registry_certificate"] = item;
      else if (item.substr(0, eq) == host) {
        spec.verify_settings["registry_certificate"] = item.substr(eq + 1);
        break;  // the target's own entry wins over a bundle for every host
      }
    }
  }
  if (!given("registry_timeout") && plugin_settings.has("registry_timeout"))
    spec.verify_settings["registry_timeout"] = plugin_settings.get("registry_timeout");

  const bool own_credentials = given("username") || given("password") || given("docker_config_json");
  if (own_credentials) return;
  if (plugin_settings.has("username") && plugin_settings.has("password")) {
    spec.verify_settings["username"] = plugin_settings.get("username");
    spec.verify_secret_settings["password"] = plugin_settings.get("password");
  } else if (plugin_settings.has("access_token")) {
    spec.verify_settings["username"] = "oauth2accesstoken";
    spec.verify_secret_settings["password"] = plugin_settings.get("access_token");
  }
  if (spec.verify_settings.contains("username") && plugin_settings.has("registry"))
    spec.verify_settings["registry"] = plugin_settings.get("registry");
  if (const std::string doc = docker_config(plugin_settings); !doc.empty()) spec.verify_secret_settings["docker_config_json"] = doc;
}

}  // namespace kiln::server
