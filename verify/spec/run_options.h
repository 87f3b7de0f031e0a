#pragma once
// The values of container-structure-test's containerRunOptions that need parsing: capability
// names as Docker accepts them, and Docker's `host:container[:options]` bind mounts. Checked when
// the spec is read, so a typo is an error naming the line, not a container that fails to start.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kiln::verify {

struct BindMount {
  std::string host;       ///< absolute host path
  std::string container;  ///< absolute path in the container
  bool read_only = false;
  friend bool operator==(const BindMount&, const BindMount&) = default;
};

/// Every Linux capability up to CAP_CHECKPOINT_RESTORE, as "CAP_…".
const std::vector<std::string>& all_capabilities();

/// Docker's spelling rules: case-insensitive, "CAP_" optional ("sys_admin" is CAP_SYS_ADMIN).
/// "ALL" gives every capability. nullopt: not a capability Linux knows.
std::optional<std::vector<std::string>> capability_names(std::string_view text);

/// "host:container", "host:container:ro", "host:container:rw" (Docker's -v for absolute host
/// paths). Throws nothing; `why` says what is wrong when nullopt is returned.
std::optional<BindMount> parse_bind_mount(std::string_view text, std::string& why);

/// The variables of a dotenv file as CST reads it (github.com/joho/godotenv): KEY=VALUE or
/// KEY: VALUE lines, `export ` prefixes, `#` comments, single quotes literal, double quotes with
/// \n and \" escapes. Pairs whose key or value is empty are dropped, as CST drops them. Throws
/// kiln::Error(usage) naming `file` and the line of a line it cannot read.
std::vector<std::pair<std::string, std::string>> parse_env_file(const std::string& text, const std::string& file);

}  // namespace kiln::verify
