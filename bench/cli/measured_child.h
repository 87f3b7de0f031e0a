#pragma once
// One child process run to completion and measured the way the kernel accounts it: wall time
// around spawn and reap, user+sys CPU and peak resident memory from wait4()'s rusage (which
// include every descendant the child waited for, e.g. the executor under kiln-plugin).
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "core/spawn.h"

namespace kiln::bench {

struct ChildUsage {
  int exit_code = -1;  ///< 128 + signal when killed by one
  double wall_seconds = 0;
  double cpu_seconds = 0;          ///< user + system
  std::int64_t peak_rss_bytes = 0;  ///< ru_maxrss
  std::string output;               ///< stdout and stderr, interleaved
};

/// Runs argv (argv[0] looked up in PATH) with exactly `env` as its environment, stdout and
/// stderr into `log_file`, no other descriptor inherited. `binds` are directories the child
/// sees in place of others, in a mount namespace of its own (root only): how buildah gets a
/// blob-info cache of its own per run. Throws kiln::Error(infra) when it cannot start or
/// outlives `timeout` (it is then killed and reaped: no child outlives the call).
ChildUsage run_measured(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
                        const std::filesystem::path& log_file, std::chrono::seconds timeout,
                        const std::vector<PrivateBind>& binds = {});

}  // namespace kiln::bench
