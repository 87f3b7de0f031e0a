#pragma once
// Build args from build_args, build_args_new / multiple_build_args and build_args_from_env,
// parsed so that a value holding commas, ';' or spaces survives (drone-kaniko splits
// build_args on commas, which cuts such values apart).
#include <string>
#include <vector>

#include "core/env.h"
#include "plugin/settings.h"

namespace kiln::plugin {

struct BuildArg {
  std::string name;
  std::string value;
  /// From build_args_from_env: pass `--build-arg NAME` so the value stays off the command line.
  bool from_env = false;
  friend bool operator==(const BuildArg&, const BuildArg&) = default;
};

/// build_args: comma/newline list, or a JSON array whose items keep their commas.
/// build_args_new: ';'/newline list (commas kept). With multiple_build_args=true only
/// build_args_new is used, as drone-kaniko does (a warning says build_args was ignored);
/// otherwise both are used. build_args_from_env: variable names read from `env`.
/// Throws kiln::Error(usage) naming the setting for an item without '=' or an unset variable.
std::vector<BuildArg> build_args(const Settings& settings, const Env& env, std::vector<std::string>* warnings);

}  // namespace kiln::plugin
