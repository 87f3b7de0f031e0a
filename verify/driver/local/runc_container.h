#pragma once
// One `runc run` of a bundle, with its own state directory, killed when it outlives its
// timeout and always deleted (`runc delete -f`) when the object goes.
#include <chrono>
#include <filesystem>
#include <string>

#include "core/process.h"

namespace kiln::verify {

class RuncContainer {
 public:
  /// `state_root` is passed as `runc --root` so nothing outside it records the container.
  RuncContainer(std::string runc, std::filesystem::path state_root, std::filesystem::path bundle, std::string id);
  ~RuncContainer();
  RuncContainer(const RuncContainer&) = delete;
  RuncContainer& operator=(const RuncContainer&) = delete;

  struct Outcome {
    ProcessResult result;  ///< runc's exit code (the process's), stdout (the process's), stderr
    bool timed_out = false;
  };
  /// Runs the bundle's process to its end; after `timeout` the container is killed
  /// (`runc kill KILL`) and the outcome says so. Throws kiln::Error(infra) when runc cannot start.
  Outcome run(std::chrono::milliseconds timeout);

  const std::string& id() const { return id_; }

 private:
  std::vector<std::string> runc(std::initializer_list<std::string> args) const;

  std::string runc_;
  std::filesystem::path state_root_;
  std::filesystem::path bundle_;
  std::string id_;
};

}  // namespace kiln::verify
