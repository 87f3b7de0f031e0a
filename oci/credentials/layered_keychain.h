#pragma once
// Credentials given explicitly for some registries (CI settings), over a fallback keychain
// (docker config.json) for the rest.
#include <map>
#include <memory>
#include <string>

#include "oci/credentials/credential.h"

namespace kiln::oci {

class LayeredKeychain final : public Keychain {
 public:
  LayeredKeychain(std::map<std::string, Credential> explicit_credentials, std::shared_ptr<const Keychain> fallback)
      : explicit_(std::move(explicit_credentials)), fallback_(std::move(fallback)) {}

  Credential resolve(const std::string& registry) const override {
    if (auto it = explicit_.find(registry); it != explicit_.end()) return it->second;
    return fallback_ ? fallback_->resolve(registry) : Credential{};
  }

 private:
  std::map<std::string, Credential> explicit_;
  std::shared_ptr<const Keychain> fallback_;
};

}  // namespace kiln::oci
