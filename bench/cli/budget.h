#pragma once
// A time budget for a kiln-bench row (--budget native=2s, --budget native/zstd=0.5s): a CI
// pipeline fails when the median wall time of the rows it names exceeds it.
#include <string>
#include <string_view>

namespace kiln::bench {

struct Budget {
  std::string backend;      ///< floor, native, kaniko or buildah
  std::string compression;  ///< empty: every compression of that backend
  double seconds = 0;
  std::string text;         ///< as given, for messages and the JUnit test name
  friend bool operator==(const Budget&, const Budget&) = default;
};

/// Parses "backend[/compression]=duration" (a Go duration: 2s, 500ms, 1.5s). Throws
/// kiln::Error(usage) naming --budget for an unknown backend or compression or a bad duration.
Budget parse_budget(std::string_view text);

/// True when the budget applies to the row `backend`/`compression`.
bool budget_covers(const Budget& budget, std::string_view backend, std::string_view compression);

}  // namespace kiln::bench
