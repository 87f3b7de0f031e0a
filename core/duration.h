#pragma once
// Durations as Go writes them ("30s", "1m30s", "500ms", "1.5h"): what Dockerfile HEALTHCHECK
// flags and the Kaniko executor's --cache-ttl take.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace kiln {

/// Parses a Go duration (units ns, us, ms, s, m, h; decimals allowed); nullopt when malformed.
std::optional<std::chrono::nanoseconds> parse_go_duration(std::string_view text);
/// Formats whole seconds the shortest way Go reads back: "6h", "90m", "45s".
std::string format_go_duration(std::chrono::seconds duration);

}  // namespace kiln
