#pragma once
// Runs command tests as children of the calling process: inside the image when kiln-probe
// calls it, so a command sees exactly the image's files, user and environment.
#include <optional>
#include <string>
#include <string_view>

#include "inspect/gather.h"

namespace kiln::inspect {

/// fork/execve, not Poco::Process (which core/process.h uses elsewhere): kiln-probe links
/// fully static and Debian ships no static Poco. No shell: argv is executed as given.
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

/// What execvp would run for `program`: itself when it contains '/', otherwise the first
/// executable regular file named so in `path_variable`'s directories (relative ones taken
/// against `workdir`); nullopt when there is none.
std::optional<std::string> find_executable(std::string_view program, std::string_view path_variable,
                                           std::string_view workdir);

}  // namespace kiln::inspect
