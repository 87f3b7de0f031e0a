#pragma once
// libkiln's logging set-up (kiln/log.h).

namespace kiln::library {

/// Points kiln's logging at standard error, warnings and errors only, unless the program called
/// kiln::set_log_handler() first. Every public entry point calls it.
void ensure_logging();

}  // namespace kiln::library
