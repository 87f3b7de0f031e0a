#pragma once
// The kernel's count of processes it killed for memory in one cgroup: how kiln-probe tells a
// command killed at its container's memory limit from one killed otherwise.
#include <cstdint>
#include <optional>
#include <string>

namespace kiln::inspect {

/// `oom_kill` of the cgroup mounted at `cgroup_dir` (the container's own, read-only): from
/// memory.events (cgroup v2) or memory/memory.oom_control (cgroup v1, a mount of every
/// controller); nullopt when neither can be read.
std::optional<std::uint64_t> read_oom_kills(const std::string& cgroup_dir);

}  // namespace kiln::inspect
