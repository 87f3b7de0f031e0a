#pragma once
/// @file
/// @brief CancellationToken: stopping a build or a verification from outside.
#include <memory>

#include "kiln/export.h"

namespace kiln {

namespace detail {
struct CancellationState;
}

/// Stops work from another thread, or from the work's own progress callback. Copies share one
/// state: keep one, put a copy into the request, and call cancel() on yours. The work stops at
/// the next point where stopping leaves nothing half-done (before each registry request, before
/// each MiB of a layer being written, before the first tag moves) and throws Cancelled.
class KILN_API CancellationToken {
 public:
  /// A token not cancelled yet.
  CancellationToken();
  /// Asks every piece of work holding a copy of this token to stop. Thread-safe; idempotent.
  void cancel() noexcept;
  /// Whether cancel() was called on this token or a copy of it.
  bool cancelled() const noexcept;

 private:
  friend struct detail::CancellationState;
  std::shared_ptr<detail::CancellationState> state_;
};

}  // namespace kiln
