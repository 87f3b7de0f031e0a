#pragma once
// The native backend: puts the application binary on the base image in-process, with no
// daemon, no executor and no privileges (what `crane append` + `crane mutate` do).
#include <memory>

#include "oci/credentials/credential.h"
#include "plugin/backend/backend.h"

namespace kiln::plugin {

class NativeBackend final : public Backend {
 public:
  explicit NativeBackend(std::shared_ptr<const oci::Keychain> keychain) : keychain_(std::move(keychain)) {}
  BuildResult build(const BuildPlan& plan) override;

 private:
  std::shared_ptr<const oci::Keychain> keychain_;
};

}  // namespace kiln::plugin
