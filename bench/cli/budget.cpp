#include "bench/cli/budget.h"

#include <fmt/format.h>

#include <array>
#include <chrono>

#include "core/duration.h"
#include "core/error.h"

namespace kiln::bench {
namespace {

constexpr std::array<std::string_view, 4> kBackends{"floor", "native", "kaniko", "buildah"};
constexpr std::array<std::string_view, 3> kCompressions{"gzip", "zstd", "none"};

template <std::size_t N>
bool one_of(std::string_view word, const std::array<std::string_view, N>& words) {
  for (std::string_view w : words)
    if (w == word) return true;
  return false;
}

}  // namespace

Budget parse_budget(std::string_view text) {
  const auto fail = [&](const std::string& why) -> Budget {
    throw_usage(fmt::format("--budget {}: {} (expected backend[/compression]=duration, e.g. native=2s or "
                            "native/zstd=500ms; backends floor, native, kaniko, buildah)",
                            text, why));
  };
  const auto equals = text.find('=');
  if (equals == std::string_view::npos) return fail("no '='");
  const std::string_view row = text.substr(0, equals), limit = text.substr(equals + 1);
  const auto slash = row.find('/');
  Budget budget{.backend = std::string(row.substr(0, slash)),
                .compression = slash == std::string_view::npos ? "" : std::string(row.substr(slash + 1)),
                .seconds = 0,
                .text = std::string(text)};
  if (!one_of(budget.backend, kBackends)) return fail(fmt::format("unknown backend '{}'", budget.backend));
  if (slash != std::string_view::npos && !one_of(budget.compression, kCompressions))
    return fail(fmt::format("unknown compression '{}'", budget.compression));
  const auto duration = parse_go_duration(limit);
  if (!duration || duration->count() <= 0) return fail(fmt::format("'{}' is not a positive duration", limit));
  budget.seconds = std::chrono::duration<double>(*duration).count();
  return budget;
}

bool budget_covers(const Budget& budget, std::string_view backend, std::string_view compression) {
  return budget.backend == backend && (budget.compression.empty() || budget.compression == compression);
}

}  // namespace kiln::bench
