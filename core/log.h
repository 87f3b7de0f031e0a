#pragma once
// Logging through spdlog with secret redaction: every value registered as a secret is replaced
// by "****" in every message, whichever code path formats it.
#include <spdlog/spdlog.h>

#include <string>

namespace kiln::log {

enum class Level { debug, info, warn, error };

/// The `log_level` setting of kiln's programs: debug (or trace), info, warn (or warning), error
/// (or quiet); anything else is info.
Level parse_level(const std::string& text);
/// Sets up the default logger on stderr. Call once from main().
void setup(Level level);
/// Registers a value (password, token, auth blob) that must never be printed.
void add_secret(const std::string& secret);
/// Returns text with every registered secret replaced; used for error messages too.
std::string redact(std::string text);

}  // namespace kiln::log
