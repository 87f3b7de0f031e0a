#pragma once
// env_file: a dotenv file read before any setting, as drone-kaniko does (godotenv.Load), so it
// may set PLUGIN_* variables as well as the variables build_args_from_env and secrets read.
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include <cstdint>

namespace kiln::plugin {

/// The most bytes an env_file may hold: a file of settings, not of data.
inline constexpr std::uintmax_t kMaxEnvFileBytes = 1024 * 1024;

/// The NAME=value pairs of a dotenv file, in order: `NAME=value`, `export NAME=value` or
/// `NAME: value`; blank lines and `#` comments skipped; a value in single quotes is literal,
/// one in double quotes knows \n, \t, \", \\; an unquoted value ends at " #" and is trimmed.
/// No ${VAR} expansion and no multi-line values. Throws kiln::Error(usage) naming the file and
/// line for anything else, and for a file over kMaxEnvFileBytes or missing.
std::vector<std::pair<std::string, std::string>> read_env_file(const std::filesystem::path& path);

}  // namespace kiln::plugin
