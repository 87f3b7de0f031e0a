#pragma once
/// @file
/// @brief Where kiln's own log lines go.
#include <functional>
#include <string>

#include "kiln/export.h"

namespace kiln {

/// The severity of a log line.
enum class LogLevel {
  debug,  ///< every request and decision
  info,   ///< each step of a build or a verification
  warn,   ///< something worked around (a retry, a fallback)
  error,  ///< something failed
  off,    ///< nothing
};

/// Receives one log line, secrets already replaced by "****".
using LogHandler = std::function<void(LogLevel level, const std::string& line)>;

/// Sends kiln's log lines of `level` and above to `handler` (empty: standard error), for the
/// rest of the process. Until it is called, warnings and errors go to standard error. kiln logs
/// through spdlog's default logger, which this replaces.
KILN_API void set_log_handler(LogLevel level, LogHandler handler = {});

}  // namespace kiln
