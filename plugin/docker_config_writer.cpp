#include "plugin/docker_config_writer.h"

#include "core/atomic_file.h"

#include <Poco/String.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/base64.h"
#include "core/error.h"
#include "core/log.h"
#include "oci/reference.h"

namespace kiln::plugin {
namespace {

constexpr const char* kDockerHubKey = "https://index.docker.io/v1/";

// The auths document being built; add() keeps the first entry for a key.
class Auths {
 public:
  explicit Auths(oci::Json& auths) : auths_(auths) {}
  void add(const std::string& registry, const std::string& username, const std::string& password) {
    const std::string key = docker_config_key(registry);
    if (auths_.contains(key)) return;
    const std::string auth = base64(username + ":" + password);
    log::add_secret(password);
    log::add_secret(auth);
    auths_[key] = oci::Json{{"auth", auth}};
  }

 private:
  oci::Json& auths_;
};

// A user/password pair of two settings: both or neither.
bool pair_given(const Settings& settings, const std::string& user_setting, const std::string& password_setting) {
  const bool user = settings.has(user_setting), password = settings.has(password_setting);
  if (user && !password) throw_usage(fmt::format("setting {}: is required when {} is set", password_setting, user_setting));
  if (password && !user) throw_usage(fmt::format("setting {}: is required when {} is set", user_setting, password_setting));
  return user;
}

// A config.json given as text; `source` names it in errors ("setting config").
oci::Json parse_config(const std::string& text, const std::string& source) {
  // The parser's message could quote the document, and the document holds passwords.
  oci::Json doc = oci::Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) throw_usage(fmt::format("{}: not valid JSON", source));
  if (!doc.is_object()) throw_usage(fmt::format("{}: must be a JSON object (a docker config.json)", source));
  oci::Json auths = oci::Json::object();
  if (auto it = doc.find("auths"); it != doc.end() && !it->is_null()) {
    if (!it->is_object()) throw_usage(fmt::format("{}: \"auths\" must be an object", source));
    for (const auto& [key, entry] : it->items()) {
      if (!entry.is_object()) throw_usage(fmt::format("{}: auths.\"{}\" is not an object", source, key));
      for (const char* field : {"auth", "password", "identitytoken", "registrytoken"})
        if (auto f = entry.find(field); f != entry.end() && f->is_string() && !f->get<std::string>().empty())
          log::add_secret(f->get<std::string>());
      const std::string normalised = docker_config_key(key);
      if (!auths.contains(normalised)) auths[normalised] = entry;
    }
  }
  doc["auths"] = std::move(auths);
  return doc;
}

// Adds what `extra` has and `doc` lacks: auths entries and credHelpers by key.
void merge_missing(oci::Json& doc, const oci::Json& extra) {
  for (const auto& [key, entry] : extra["auths"].items())
    if (!doc["auths"].contains(key)) doc["auths"][key] = entry;
  if (auto helpers = extra.find("credHelpers"); helpers != extra.end() && helpers->is_object())
    for (const auto& [key, name] : helpers->items())
      if (!doc.contains("credHelpers") || !doc["credHelpers"].contains(key)) doc["credHelpers"][key] = name;
}

std::string push_registry(const Settings& settings, const CiContext& ci) {
  if (settings.has("registry")) return settings.get("registry");
  const std::string repo = destination_repo(settings, ci);
  if (repo.empty()) return kDockerHubKey;
  try {
    return oci::Reference::parse(repo).registry();
  } catch (const Error&) {
    return kDockerHubKey;  // make_plan reports the bad repo, naming the setting
  }
}

void add_logins(const Settings& settings, Auths& auths) {
  if (!settings.has("logins")) return;
  const oci::Json list = oci::Json::parse(settings.get("logins"), nullptr, /*allow_exceptions=*/false);
  if (list.is_discarded() || !list.is_array())
    throw_usage("setting logins: not a JSON array of {\"registry\", \"username\", \"password\"} objects");
  std::size_t n = 0;
  for (const auto& login : list) {
    ++n;
    if (!login.is_object()) throw_usage(fmt::format("setting logins: item {} is not an object", n));
    auto text = [&](const char* field) {
      auto it = login.find(field);
      if (it == login.end() || it->is_null()) return std::string();
      if (!it->is_string()) throw_usage(fmt::format("setting logins: item {}: \"{}\" must be a string", n, field));
      return it->get<std::string>();
    };
    const std::string registry = text("registry"), username = text("username"), password = text("password");
    if (!password.empty()) log::add_secret(password);
    if (username.empty() || password.empty())
      throw_usage(fmt::format("setting logins: item {} ({}) needs both username and password", n,
                              registry.empty() ? "Docker Hub" : registry));
    auths.add(registry.empty() ? kDockerHubKey : registry, username, password);
  }
}

}  // namespace

std::string docker_config_key(std::string_view registry) {
  std::string key(registry);
  if (auto scheme = key.find("://"); scheme != std::string::npos) key = key.substr(scheme + 3);
  while (key.ends_with("/")) key.pop_back();
  if (key.ends_with("/v1") || key.ends_with("/v2")) key.resize(key.size() - 3);
  const std::string host = Poco::toLower(key);
  if (host == "docker.io" || host == "index.docker.io" || host == "registry-1.docker.io" ||
      host == "registry.hub.docker.com")
    return kDockerHubKey;
  return key;
}

oci::Json make_docker_config(const Settings& settings, const CiContext& ci) {
  oci::Json doc = settings.has("config") ? parse_config(settings.get("config"), "setting config")
                                         : oci::Json{{"auths", oci::Json::object()}};
  Auths auths(doc["auths"]);
  if (pair_given(settings, "username", "password"))
    auths.add(push_registry(settings, ci), settings.get("username"), settings.get("password"));
  else if (settings.has("access_token"))
    auths.add(push_registry(settings, ci), "oauth2accesstoken", settings.get("access_token"));
  else if (settings.has("json_key"))
    // Google's documented basic login for GCR and Artifact Registry: the native backend has no
    // Google keychain, and the executor accepts it as well as GOOGLE_APPLICATION_CREDENTIALS.
    auths.add(push_registry(settings, ci), "_json_key", settings.get("json_key"));
  add_logins(settings, auths);
  if (pair_given(settings, "base_image_username", "base_image_password")) {
    if (!settings.has("base_image_registry"))
      throw_usage("setting base_image_registry: is required when base_image_username is set");
    auths.add(settings.get("base_image_registry"), settings.get("base_image_username"),
              settings.get("base_image_password"));
  }
  if (ci.system == CiSystem::gitlab) {
    if (!ci.registry.empty() && !ci.registry_user.empty() && !ci.registry_password.empty())
      auths.add(ci.registry, ci.registry_user, ci.registry_password);
    if (!ci.dependency_proxy_server.empty() && !ci.dependency_proxy_user.empty() &&
        !ci.dependency_proxy_password.empty())
      auths.add(ci.dependency_proxy_server, ci.dependency_proxy_user, ci.dependency_proxy_password);
  }
  if (!ci.docker_auth_config.empty()) merge_missing(doc, parse_config(ci.docker_auth_config, "DOCKER_AUTH_CONFIG"));
  return doc;
}

std::filesystem::path write_docker_config(const oci::Json& doc, const std::filesystem::path& dir) {
  const std::filesystem::path path = dir / "config.json";
  write_file_atomically(path, doc.dump(2) + "\n", 0600);  // credentials: 0600 from creation
  return path;
}

}  // namespace kiln::plugin
