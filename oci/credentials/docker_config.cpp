#include "oci/credentials/docker_config.h"

#include <Poco/Base64Decoder.h>
#include <Poco/String.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <sstream>

#include "core/error.h"
#include "core/log.h"
#include "core/read_file.h"
#include "core/process.h"

namespace kiln::oci {
namespace {

std::string decode_base64(const std::string& text) {
  std::istringstream in(text);
  Poco::Base64Decoder decoder(in);
  std::string out((std::istreambuf_iterator<char>(decoder)), std::istreambuf_iterator<char>());
  return out;
}

std::string string_field(const Json& entry, const char* name) {
  auto it = entry.find(name);
  return it != entry.end() && it->is_string() ? it->get<std::string>() : std::string();
}

Credential parse_auth_entry(const Json& entry, const std::string& source, const std::string& key) {
  if (!entry.is_object()) throw_usage(fmt::format("{}: auths.\"{}\" is not an object", source, key));
  Credential c{.username = string_field(entry, "username"),
               .password = string_field(entry, "password"),
               .identity_token = string_field(entry, "identitytoken"),
               .registry_token = string_field(entry, "registrytoken")};
  if (const std::string auth = string_field(entry, "auth"); !auth.empty()) {
    log::add_secret(auth);
    std::string decoded;
    try {
      decoded = decode_base64(auth);
    } catch (const std::exception&) {
      throw_usage(fmt::format("{}: auths.\"{}\".auth is not valid base64", source, key));
    }
    auto colon = decoded.find(':');
    if (colon == std::string::npos)
      throw_usage(fmt::format("{}: auths.\"{}\".auth does not decode to user:password", source, key));
    c.username = decoded.substr(0, colon);
    c.password = decoded.substr(colon + 1);
  }
  for (const auto* s : {&c.password, &c.identity_token, &c.registry_token})
    if (!s->empty()) log::add_secret(*s);
  return c;
}

// Helper names become part of an executable path; keep them to plain names.
bool valid_helper_name(const std::string& name) {
  return !name.empty() && name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") ==
                              std::string::npos && name.find("..") == std::string::npos;
}

// The child reports a failed exec only as an exit code, indistinguishable from "no
// credentials"; a helper that is not installed must be a clear error instead.
std::string find_helper(const CredentialHelperOptions& helpers, const std::string& program) {
  namespace fs = std::filesystem;
  if (!helpers.directory.empty()) {
    const fs::path path = helpers.directory / program;
    return fs::exists(path) ? path.string() : std::string();
  }
  auto path_var = helpers.env.find("PATH");
  if (path_var == helpers.env.end()) return program;  // no PATH known: let exec look it up
  for (std::size_t pos = 0; pos <= path_var->second.size();) {
    auto end = path_var->second.find(':', pos);
    if (end == std::string::npos) end = path_var->second.size();
    const fs::path candidate = fs::path(path_var->second.substr(pos, end - pos)) / program;
    if (end > pos && fs::exists(candidate)) return candidate.string();
    pos = end + 1;
  }
  return std::string();
}

}  // namespace

std::string normalise_registry_key(std::string_view key) {
  std::string host(key);
  if (auto scheme = host.find("://"); scheme != std::string::npos) host = host.substr(scheme + 3);
  if (auto slash = host.find('/'); slash != std::string::npos) host.resize(slash);
  host = Poco::toLower(host);
  if (host == "index.docker.io" || host == "registry-1.docker.io" || host == "registry.hub.docker.com") return "docker.io";
  return host;
}

DockerConfigKeychain::DockerConfigKeychain(const Json& config, std::string source, CredentialHelperOptions helpers)
    : source_(std::move(source)), helpers_(std::move(helpers)) {
  if (config.is_null()) return;
  if (!config.is_object()) throw_usage(fmt::format("{}: a docker config must be a JSON object", source_));
  if (auto auths = config.find("auths"); auths != config.end() && !auths->is_null()) {
    if (!auths->is_object()) throw_usage(fmt::format("{}: \"auths\" must be an object", source_));
    for (const auto& [key, entry] : auths->items()) {
      Credential c = parse_auth_entry(entry, source_, key);
      if (!c.empty()) auths_[normalise_registry_key(key)] = c;
    }
  }
  if (auto helpers_json = config.find("credHelpers"); helpers_json != config.end() && !helpers_json->is_null()) {
    if (!helpers_json->is_object()) throw_usage(fmt::format("{}: \"credHelpers\" must be an object", source_));
    for (const auto& [key, name] : helpers_json->items()) {
      if (!name.is_string() || !valid_helper_name(name.get<std::string>()))
        throw_usage(fmt::format("{}: credHelpers.\"{}\" is not a helper name", source_, key));
      cred_helpers_[normalise_registry_key(key)] = name.get<std::string>();
    }
  }
  creds_store_ = string_field(config, "credsStore");
  if (!creds_store_.empty() && !valid_helper_name(creds_store_))
    throw_usage(fmt::format("{}: credsStore '{}' is not a helper name", source_, creds_store_));
}

DockerConfigKeychain DockerConfigKeychain::from_file(const std::filesystem::path& path,
                                                     CredentialHelperOptions helpers) {
  // Credentials for every registry a user logged in to: kilobytes.
  constexpr std::size_t max_docker_config_bytes = 4 << 20;
  const auto text = read_file(path, max_docker_config_bytes, "docker config");
  if (!text) throw_usage(fmt::format("cannot read docker config {}", path.string()));
  Json doc = Json::parse(*text, nullptr, /*allow_exceptions=*/false);
  // The parser's message could quote the file, and the file holds passwords.
  if (doc.is_discarded()) throw_usage(fmt::format("{}: not valid JSON", path.string()));
  return DockerConfigKeychain(doc, path.string(), std::move(helpers));
}

DockerConfigKeychain DockerConfigKeychain::from_env(const Env& env) {
  std::filesystem::path path;
  if (auto dir = env.get("DOCKER_CONFIG")) path = std::filesystem::path(*dir) / "config.json";
  else if (auto home = env.get("HOME")) path = std::filesystem::path(*home) / ".docker" / "config.json";
  CredentialHelperOptions helpers;
  for (const char* name : {"PATH", "HOME"})
    if (auto value = env.get(name)) helpers.env[name] = *value;
  if (path.empty() || !std::filesystem::exists(path)) return DockerConfigKeychain(Json(), "no docker config", helpers);
  return from_file(path, std::move(helpers));
}

Credential DockerConfigKeychain::resolve(const std::string& registry) const {
  const std::string key = normalise_registry_key(registry);
  if (auto it = cred_helpers_.find(key); it != cred_helpers_.end()) return from_helper(it->second, key);
  if (auto it = auths_.find(key); it != auths_.end()) return it->second;
  if (!creds_store_.empty()) return from_helper(creds_store_, key);
  return {};
}

Credential DockerConfigKeychain::from_helper(const std::string& helper, const std::string& registry) const {
  const std::string program = "docker-credential-" + helper;
  const std::string executable = find_helper(helpers_, program);
  if (executable.empty())
    throw_infra(fmt::format("{}: credential helper for {}: {} is not installed", source_, registry, program));
  // Helpers key Docker Hub by its historical URL.
  const std::string server_url = registry == "docker.io" ? "https://index.docker.io/v1/" : registry;
  ProcessOptions options{.input = server_url, .extra_env = helpers_.env, .working_dir = {},
                         .timeout = std::chrono::seconds(60)};
  ProcessResult result;
  try {
    result = run_process({executable, "get"}, options);
  } catch (const Error& e) {
    throw_infra(fmt::format("{}: credential helper for {}: {}", source_, registry, e.what()));
  }
  if (result.exit_code != 0) {
    // The protocol's way of saying "no credentials for this server".
    spdlog::debug("{} get {}: exit {}: {}", program, registry, result.exit_code, log::redact(result.out + result.err));
    return {};
  }
  Json doc = Json::parse(result.out, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object())
    throw_infra(fmt::format("{}: {} get {} did not print a JSON object", source_, program, registry));
  const std::string username = string_field(doc, "Username");
  const std::string secret = string_field(doc, "Secret");
  if (!secret.empty()) log::add_secret(secret);
  Credential c;
  if (username == "<token>") {
    c.identity_token = secret;
  } else {
    c.username = username;
    c.password = secret;
  }
  return c;
}

}  // namespace kiln::oci
