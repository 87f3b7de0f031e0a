#pragma once
/// @file
/// @brief How kiln reaches registries: credentials, transport security, retries, deadlines.
#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace kiln {

/// A login for one registry.
struct RegistryCredential {
  /// The registry as a reference names it: "registry.example.com", "127.0.0.1:5000"; "docker.io"
  /// for Docker Hub.
  std::string registry;
  /// The user name.
  std::string username;
  /// The password or token. It never appears in a log line or an error message.
  std::string password;
};

/// How kiln talks to the registries of a build or a verification (what kiln-plugin's
/// `username`, `password`, `insecure`, `registry_certificate` and `registry_timeout` settings do).
struct RegistryOptions {
  /// Logins, per registry; a registry without one is used anonymously (or through docker_config).
  std::vector<RegistryCredential> credentials;
  /// A docker config.json (auths, credsStore, credHelpers) for the registries `credentials`
  /// does not name; empty: none. Nothing else of the environment is read.
  std::filesystem::path docker_config;
  /// Plain HTTP instead of HTTPS, for every registry: local and test registries only.
  bool insecure = false;
  /// An extra PEM bundle of certificate authorities trusted for TLS; empty: the system's only.
  std::filesystem::path ca_file;
  /// How many times a request that failed temporarily (408, 429, 5xx, a reset connection) is
  /// tried again, with a growing backoff.
  int retries = 3;
  /// The deadline of each registry request: the whole answer must arrive within it, and a layer
  /// download or upload may take one second more per 16 KiB moved. Running out is final.
  std::chrono::milliseconds timeout{std::chrono::minutes(2)};
};

}  // namespace kiln
