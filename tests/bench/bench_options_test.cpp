#include "bench/cli/bench_options.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace kiln::bench {
namespace {

std::string usage_error(const std::vector<std::string>& args) {
  try {
    parse_bench_args(args);
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_class(), ExitClass::usage);
    return e.what();
  }
  return "(accepted)";
}

}  // namespace

TEST(BenchOptions, TakesItsOwnFlagsAndLeavesTheBuildToKilnPlugin) {
  const BenchOptions o = parse_bench_args({"--runs", "3", "--binary", "out/app", "--compression=gzip,zstd",
                                           "--budget", "native=2s", "--budget=native/zstd=500ms", "--base_image",
                                           "r/base:1", "--json", "b.json", "--junit=b.xml", "--insecure",
                                           "--workload", "50,100", "--backends", "native,buildah"});
  EXPECT_EQ(o.runs, 3);
  EXPECT_EQ(o.compressions, (std::vector<std::string>{"gzip", "zstd"}));
  ASSERT_EQ(o.budgets.size(), 2u);
  EXPECT_EQ(o.budgets[1].compression, "zstd");
  EXPECT_EQ(o.json_file, "b.json");
  EXPECT_EQ(o.junit_file, "b.xml");
  EXPECT_EQ(o.workload, (GeneratedWorkload{.binary_mb = 50, .base_mb = 100}));
  EXPECT_EQ(o.backends, (std::vector<std::string>{"native", "buildah"}));
  EXPECT_EQ(o.plugin_args, (std::vector<std::string>{"--binary", "out/app", "--base_image", "r/base:1", "--insecure"}));
}

TEST(BenchOptions, DefaultsAreFiveRunsOfTheBuildsOwnCompression) {
  const BenchOptions o = parse_bench_args({});
  EXPECT_EQ(o.runs, 5);
  EXPECT_TRUE(o.compressions.empty());
  EXPECT_TRUE(o.backends.empty());
  EXPECT_FALSE(o.workload);
  EXPECT_TRUE(parse_bench_args({"--help"}).help);
}

TEST(BenchOptions, ErrorsNameTheFlag) {
  EXPECT_EQ(usage_error({"--runs", "0"}), "--runs 0: not a positive whole number");
  EXPECT_EQ(usage_error({"--runs", "five"}), "--runs five: not a positive whole number");
  EXPECT_EQ(usage_error({"--runs"}), "--runs needs a value");
  EXPECT_EQ(usage_error({"--compression", "gzip,brotli"}),
            "--compression gzip,brotli: unknown value 'brotli' (known: gzip, zstd, none)");
  EXPECT_EQ(usage_error({"--backends", "docker"}), "--backends docker: unknown value 'docker' (known: native, kaniko, buildah)");
  EXPECT_EQ(usage_error({"--workload", "50"}), "--workload 50: expected BINARY_MB,BASE_MB (the reference workload: 50,100)");
  EXPECT_EQ(usage_error({"--run-timeout", "soon"}), "--run-timeout soon: not a duration of 1s or more");
}

}  // namespace kiln::bench
