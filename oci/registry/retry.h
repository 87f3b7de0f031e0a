#pragma once
// Retrying whole registry operations. A retry re-runs the operation from its first request
// (an upload: POST a new session, then PUT a freshly opened body), because an upload session
// or a half-read stream cannot be trusted after a failure. Only RegistryError::is_temporary()
// failures are retried: other 4xx answers will not change.
#include <algorithm>
#include <chrono>
#include <functional>
#include <optional>
#include <string_view>

#include "oci/registry/error.h"

namespace kiln::oci {

struct Backoff {
  int max_attempts = 4;
  std::chrono::milliseconds initial{200};
  std::chrono::milliseconds max{5000};
  /// A server asking for longer than this gets this: a CI step must not hang for an hour.
  std::chrono::seconds max_retry_after{60};
};

/// Retry-After as delta-seconds; nullopt for an HTTP-date or garbage (then the backoff applies).
std::optional<std::chrono::seconds> parse_retry_after(std::string_view value);

/// The wait after `failed_attempts` (1, 2, ...) failures: initial * 2^(n-1) capped at max,
/// scaled by a jitter factor in [0.8, 1.2) from `jitter` in [0, 1); a Retry-After (capped)
/// raises it.
std::chrono::milliseconds retry_delay(const Backoff& backoff, int failed_attempts,
                                      std::optional<std::chrono::seconds> retry_after, double jitter);

class Retrier {
 public:
  using Sleep = std::function<void(std::chrono::milliseconds)>;
  /// `sleep` defaults to std::this_thread::sleep_for; tests pass one that records.
  explicit Retrier(Backoff backoff, Sleep sleep = {});

  template <class Operation>
  auto run(std::string_view what, Operation&& operation) -> decltype(operation()) {
    return run_also(what, [](const RegistryError&) { return false; }, operation);
  }

  /// run(), also retrying the failures `also_temporary` picks out: answers that are permanent
  /// in general but transient in the caller's situation. Their backoff starts at `also_initial`
  /// (when shorter than the usual one): a race inside the registry is over in microseconds.
  template <class Predicate, class Operation>
  auto run_also(std::string_view what, Predicate&& also_temporary, Operation&& operation,
                std::chrono::milliseconds also_initial = std::chrono::milliseconds::max()) -> decltype(operation()) {
    for (int attempt = 1;; ++attempt) {
      try {
        return operation();
      } catch (const RegistryError& e) {
        const bool also = !e.is_temporary() && also_temporary(e);
        if (!(e.is_temporary() || also) || attempt >= backoff_.max_attempts) throw;
        Backoff backoff = backoff_;
        if (also) backoff.initial = std::min(backoff.initial, also_initial);
        wait_after(attempt, e, what, backoff);
      }
    }
  }

 private:
  void wait_after(int failed_attempts, const RegistryError& error, std::string_view what, const Backoff& backoff);
  Backoff backoff_;
  Sleep sleep_;
};

}  // namespace kiln::oci
