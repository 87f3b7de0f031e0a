#pragma once
// A stop asked for from outside the build (the library's CancellationToken). Work checks for it
// at points where stopping leaves nothing half-done, and unwinds with StopRequested, which every
// layer lets pass like any other error: nothing retries it or turns it into something else.
#include <stop_token>
#include <string>

#include "core/error.h"

namespace kiln {

class StopRequested : public Error {
 public:
  /// "<where>: stopped on request"
  explicit StopRequested(const std::string& where) : Error(ExitClass::infra, where + ": stopped on request") {}
};

/// Throws StopRequested naming `where` when `stop` has been requested (never for a default token).
inline void stop_point(const std::stop_token& stop, const std::string& where) {
  if (stop.stop_requested()) throw StopRequested(where);
}

}  // namespace kiln
