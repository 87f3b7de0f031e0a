#pragma once
// A runc container from a temp bundle (its own state root and a unique id), deleted forcibly in
// the destructor, whatever the test did: for programs that must run in a root filesystem that
// holds nothing but what the test put there.
#include <filesystem>
#include <string>
#include <vector>

#include "core/process.h"
#include "core/temp_dir.h"

namespace kiln::testing {

class RuncContainer {
 public:
  RuncContainer();
  ~RuncContainer();
  RuncContainer(const RuncContainer&) = delete;
  RuncContainer& operator=(const RuncContainer&) = delete;

  /// The container's root filesystem, empty at first.
  std::filesystem::path rootfs() const { return dir_.path() / "rootfs"; }
  /// Runs `args` as the container's process with exactly `env`; root filesystem read-only, no
  /// terminal, a 60 s timeout. The container is deleted again before the next run.
  ProcessResult run(const std::vector<std::string>& args, const std::vector<std::string>& env = {});

 private:
  std::string bundle() const { return dir_.path().string(); }
  std::string state() const { return (dir_.path() / "state").string(); }

  TempDir dir_{"kiln-runc-bundle"};
  std::string id_;
};

}  // namespace kiln::testing
