#pragma once
// Credentials from a docker config.json: "auths" entries (auth / username+password /
// identitytoken / registrytoken), Docker Hub key normalisation, and the credHelpers /
// credsStore helper protocol (docker-credential-<name> get).
#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "core/env.h"
#include "oci/credentials/credential.h"
#include "oci/json.h"

namespace kiln::oci {

/// Where credential helpers are found.
struct CredentialHelperOptions {
  /// Run `<directory>/docker-credential-<name>`; empty: look the helper up in PATH.
  std::filesystem::path directory;
  /// Added to the helper's environment (from_env passes PATH and HOME from the Env it was given).
  std::map<std::string, std::string> env;
};

class DockerConfigKeychain final : public Keychain {
 public:
  /// Parses the document; `source` names it in error messages (a path, or "PLUGIN_CONFIG").
  /// Throws kiln::Error(usage) for a malformed document, never quoting a credential.
  DockerConfigKeychain(const Json& config, std::string source, CredentialHelperOptions helpers = {});
  /// $DOCKER_CONFIG/config.json, else $HOME/.docker/config.json; no file means anonymous.
  static DockerConfigKeychain from_env(const Env& env);
  static DockerConfigKeychain from_file(const std::filesystem::path& path, CredentialHelperOptions helpers = {});

  /// Lookup by the normalised registry host: credHelpers entry, then auths entry, then credsStore.
  Credential resolve(const std::string& registry) const override;

 private:
  Credential from_helper(const std::string& helper, const std::string& registry) const;

  std::string source_;
  CredentialHelperOptions helpers_;
  std::map<std::string, Credential> auths_;           ///< keyed by normalised registry host
  std::map<std::string, std::string> cred_helpers_;   ///< registry -> helper name
  std::string creds_store_;
};

/// "https://index.docker.io/v1/", "index.docker.io", "registry-1.docker.io" → "docker.io";
/// other keys lose their scheme and path ("https://r.example:5000/v2/" → "r.example:5000").
std::string normalise_registry_key(std::string_view key);

}  // namespace kiln::oci
