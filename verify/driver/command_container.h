#pragma once
// How the container that runs a group of commands differs from the driver's default one: what a
// spec's containerRunOptions ask for, and whether the root must be a fresh, writable copy of the
// image (a command test with setup, whose changes CST commits into the image the test runs in).
// Drivers that run commands honour every field or refuse the group, naming the option.
#include <optional>
#include <string>
#include <vector>

#include "verify/spec/run_options.h"

namespace kiln::verify {

struct CommandContainer {
  std::optional<std::string> user;  ///< Docker's USER syntax; nullopt: the image's own
  /// Docker's --privileged: every capability, no seccomp filter, /proc and /sys unmasked and
  /// writable, new privileges allowed.
  bool privileged = false;
  /// The capability set ("CAP_SYS_ADMIN"), replacing the driver's default; nullopt: the default.
  std::optional<std::vector<std::string>> capabilities;
  std::vector<BindMount> bind_mounts;
  bool writable_root = false;
  /// Where these options come from, for messages: "spec.yaml:7: containerRunOptions".
  std::string origin;
  bool is_default() const { return !user && !privileged && !capabilities && bind_mounts.empty() && !writable_root; }
  friend bool operator==(const CommandContainer&, const CommandContainer&) = default;
};

}  // namespace kiln::verify
