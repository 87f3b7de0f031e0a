#include "library/registry_access.h"

#include <fmt/format.h>

#include <map>

#include "core/env.h"
#include "oci/credentials/docker_config.h"
#include "oci/credentials/layered_keychain.h"
#include "library/public_errors.h"

namespace kiln::library {

std::shared_ptr<const oci::Keychain> keychain_for(const RegistryOptions& options, const std::string& request) {
  std::map<std::string, oci::Credential> explicit_credentials;
  for (const RegistryCredential& c : options.credentials) {
    if (c.registry.empty())
      bad_field(request, "registry.credentials", "a credential without a registry (give its host, e.g. registry.example.com)");
    explicit_credentials[oci::normalise_registry_key(c.registry)] = {.username = c.username, .password = c.password};
  }
  std::shared_ptr<const oci::Keychain> fallback;
  if (!options.docker_config.empty()) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(options.docker_config, ec))
      bad_field(request, "registry.docker_config", fmt::format("{} is not a file", options.docker_config.string()));
    // Credential helpers (docker-credential-<name>) are looked up in the program's PATH.
    const Env env = Env::from_process();
    oci::CredentialHelperOptions helpers;
    for (const char* name : {"PATH", "HOME"})
      if (auto value = env.get(name)) helpers.env[name] = *value;
    fallback = std::make_shared<oci::DockerConfigKeychain>(oci::DockerConfigKeychain::from_file(options.docker_config, helpers));
  }
  return std::make_shared<oci::LayeredKeychain>(std::move(explicit_credentials), std::move(fallback));
}

plugin::RegistryAccess access_for(const RegistryOptions& options, const std::string& request) {
  if (options.retries < 0) bad_field(request, "registry.retries", fmt::format("{} is negative", options.retries));
  if (options.timeout.count() <= 0)
    bad_field(request, "registry.timeout", fmt::format("{} ms is not a positive duration", options.timeout.count()));
  if (!options.ca_file.empty()) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(options.ca_file, ec))
      bad_field(request, "registry.ca_file", fmt::format("{} does not exist or is not a file", options.ca_file.string()));
  }
  plugin::RegistryAccess access;
  access.insecure = options.insecure;
  access.default_ca_file = options.ca_file.string();
  access.timeout = options.timeout;
  access.max_attempts = options.retries + 1;
  return access;
}

oci::RegistryOptions client_options(const RegistryOptions& options, const std::string& request, std::stop_token stop) {
  oci::RegistryOptions out = access_for(options, request).options_for("");
  out.stop = std::move(stop);
  return out;
}

}  // namespace kiln::library
