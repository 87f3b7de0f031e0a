#pragma once
// Running the programs a test checks kiln against (skopeo, umoci, runc) and kiln's own
// executables, as a user or a CI runner would: argv and environment only.
#include <map>
#include <string>
#include <vector>

#include "core/process.h"

namespace kiln::testing {

/// Runs argv; throws std::runtime_error with the command, exit code and output unless it exits 0.
std::string run_ok(const std::vector<std::string>& argv, const ProcessOptions& options = {});

/// Runs kiln-plugin with exactly these PLUGIN_* (and other) variables on top of PATH and HOME.
ProcessResult run_plugin(const std::map<std::string, std::string>& env, const std::vector<std::string>& args = {});

/// The image digest kiln-plugin printed ("digest sha256:…"); empty when it printed none.
std::string digest_in(const std::string& output);

}  // namespace kiln::testing
