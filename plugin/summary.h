#pragma once
// The last words of a build on stderr: what was pushed, by whom, how long it took; and on
// GitLab the collapsible log section around the build.
#include <chrono>
#include <cstdint>
#include <string>

#include "plugin/backend/backend.h"

namespace kiln::plugin {

/// Multi-line summary: each reference pushed (by digest), the digest, the backend, layers
/// uploaded with their compressed bytes (kiln-bench reads them), and the total time in seconds with one decimal.
std::string build_summary(const BuildResult& result, std::chrono::milliseconds elapsed);

/// GitLab's section markers (docs: "Custom collapsible sections"); `name` is [a-z0-9_].
std::string gitlab_section_start(std::int64_t unix_seconds, const std::string& name, const std::string& title);
std::string gitlab_section_end(std::int64_t unix_seconds, const std::string& name);

}  // namespace kiln::plugin
