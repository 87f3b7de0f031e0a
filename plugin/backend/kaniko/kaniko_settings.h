#pragma once
// The executor's options for a plan, from the settings drone-kaniko and the Woodpecker
// kaniko plugin users already write. Kept apart from kaniko_argv (options → argv) so each
// mapping is tested on its own.
#include <string>
#include <vector>

#include "plugin/backend/kaniko/kaniko_options.h"
#include "plugin/plan.h"
#include "plugin/settings.h"

namespace kiln::plugin {

/// `docker_config_dir` holds the config.json kiln wrote; `dockerfile` is the file to build
/// (the plan's, or a generated template). The digest file is left to KanikoBackend: kiln
/// writes the user's digest_file itself, only after the executor succeeded.
/// extra_opts as executor arguments, split as the Woodpecker plugin's shell splits them: on
/// whitespace (no quoting), and on a comma that joins two flags of a CI list ("--a,--b").
/// A JSON array is a list too.
std::vector<std::string> extra_opts_words(const std::string& raw);

KanikoOptions kaniko_options(const Settings& settings, const BuildPlan& plan, const std::string& docker_config_dir,
                             const std::string& dockerfile);

}  // namespace kiln::plugin
