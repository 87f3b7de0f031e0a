#pragma once
// Runs command tests as children of the calling process: inside the image when kiln-probe
// calls it, so a command sees exactly the image's files, user and environment.
#include <string>
#include <string_view>

#include "inspect/gather.h"

namespace kiln::inspect {

/// Started by core/spawn.h, which needs only libc: kiln-probe links fully static. No shell:
/// argv is executed as given; argv[0] is looked up in the command's own PATH (find_executable).
/// Each command runs in its own process group with an empty stdin; stdout and stderr are
/// kept up to `max_output_bytes` each (the rest is drained and dropped, so a chatty child never
/// blocks); at the timeout (none when it is not positive) the whole group gets SIGKILL. When the command's main process
/// exits, whatever it left running in its group is killed too, so a stray background child
/// holding the pipes cannot keep the probe waiting.
/// With `cgroup_dir` (the container's own cgroup, see oom_kills.h), a command during which the
/// kernel killed a process for memory is reported as out_of_memory.
class ProcessRunner final : public CommandRunner {
 public:
  explicit ProcessRunner(std::string cgroup_dir = {}) : cgroup_dir_(std::move(cgroup_dir)) {}
  CommandFacts run(const CommandQuery& query, std::uint64_t max_output_bytes) override;

 private:
  std::string cgroup_dir_;
};

/// The PATH used when the command's environment has none (what Docker and containerd set).
inline constexpr std::string_view kDefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

}  // namespace kiln::inspect
