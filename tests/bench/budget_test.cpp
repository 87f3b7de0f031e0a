#include "bench/cli/budget.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace kiln::bench {

TEST(Budget, ParsesBackendCompressionAndGoDuration) {
  EXPECT_EQ(parse_budget("native=2s"), (Budget{.backend = "native", .compression = "", .seconds = 2.0, .text = "native=2s"}));
  EXPECT_EQ(parse_budget("native/zstd=0.5s"),
            (Budget{.backend = "native", .compression = "zstd", .seconds = 0.5, .text = "native/zstd=0.5s"}));
  EXPECT_DOUBLE_EQ(parse_budget("buildah/gzip=1m30s").seconds, 90.0);
  EXPECT_DOUBLE_EQ(parse_budget("floor=1ms").seconds, 0.001);
}

TEST(Budget, RejectsWhatItCannotCheckNamingTheFlag) {
  const std::string help = " (expected backend[/compression]=duration, e.g. native=2s or native/zstd=500ms; "
                           "backends floor, native, kaniko, buildah)";
  const std::pair<const char*, std::string> cases[] = {
      {"native", "--budget native: no '='" + help},
      {"docker=2s", "--budget docker=2s: unknown backend 'docker'" + help},
      {"native/brotli=2s", "--budget native/brotli=2s: unknown compression 'brotli'" + help},
      {"native=2", "--budget native=2: '2' is not a positive duration" + help},
      {"native=0s", "--budget native=0s: '0s' is not a positive duration" + help},
  };
  for (const auto& [text, message] : cases) {
    try {
      parse_budget(text);
      ADD_FAILURE() << text << " was accepted";
    } catch (const Error& e) {
      EXPECT_EQ(e.exit_class(), ExitClass::usage) << text;
      EXPECT_EQ(std::string(e.what()), message);
    }
  }
}

TEST(Budget, CoversItsBackendAndOptionallyOneCompression) {
  const Budget all = parse_budget("native=2s"), zstd = parse_budget("native/zstd=1s");
  EXPECT_TRUE(budget_covers(all, "native", "gzip"));
  EXPECT_TRUE(budget_covers(all, "native", "zstd"));
  EXPECT_FALSE(budget_covers(all, "buildah", "gzip"));
  EXPECT_TRUE(budget_covers(zstd, "native", "zstd"));
  EXPECT_FALSE(budget_covers(zstd, "native", "gzip"));
}

}  // namespace kiln::bench
