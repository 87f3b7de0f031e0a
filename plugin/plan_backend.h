#pragma once
// Which settings only the Kaniko executor honours. `backend: auto` must give the image the
// chosen backend's settings describe, so a setting that changes the image (or how its base is
// reached) and that the native backend cannot honour sends auto to the executor and makes
// `backend: native` fail; a setting that only tunes the executor is reported as unused.
#include <optional>
#include <string>
#include <vector>

#include "plugin/settings.h"

namespace kiln::plugin {

/// "setting <name>: <why only the executor honours it>" for the first such setting that is set,
/// or nullopt.
std::optional<std::string> executor_only_setting(const Settings& settings);

/// The executor-tuning settings that are set and mean nothing to the native backend (cache,
/// snapshots, retries, executor logging), for one warning each.
std::vector<std::string> settings_unused_natively(const Settings& settings);

}  // namespace kiln::plugin
