#pragma once
// Directories of the data dir that hold what other local users must not read or reach: build
// contexts (a client's sources, perhaps a planted program), per-build temp dirs (merged
// registry credentials), logs and reports.
#include <filesystem>

namespace kiln::server {

/// Creates `dir` (and missing parents) if needed and makes it mode 0700, whatever the umask
/// and whatever mode an existing one had. Throws kiln::Error(infra) when it cannot.
void create_private_directory(const std::filesystem::path& dir);

}  // namespace kiln::server
