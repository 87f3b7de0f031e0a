#pragma once
// The native backend: puts the application binary on the base image in-process, with no
// daemon, no executor and no privileges (what `crane append` + `crane mutate` do).
#include <memory>

#include "oci/credentials/credential.h"
#include "plugin/backend/backend.h"
#include "plugin/build_control.h"

namespace kiln::plugin {

class NativeBackend final : public Backend {
 public:
  explicit NativeBackend(std::shared_ptr<const oci::Keychain> keychain, BuildControl control = {})
      : keychain_(std::move(keychain)), control_(std::move(control)) {}
  BuildResult build(const BuildPlan& plan) override;

 private:
  std::shared_ptr<const oci::Keychain> keychain_;
  BuildControl control_;
};

}  // namespace kiln::plugin
