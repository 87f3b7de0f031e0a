// What a large Dockerfile costs kiln-plugin before any image is touched: parsing, then
// interpreting the stage as the auto backend plans a build (no base image read). The input is
// N ENV lines, each a new variable (the case that was quadratic: 40,000 lines took 36 s), or N
// LABEL lines, each a new label (quadratic too until labels were indexed). Prints the median
// of `runs` for each N and the cost per line, which stays flat when the work is linear.
//
// Usage: kiln-dockerfile-bench [runs]   (default 5)
#include <fmt/format.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "bench/workload.h"
#include "core/temp_dir.h"
#include "plugin/backend/native/stage_interpreter.h"
#include "plugin/dockerfile/dockerfile.h"

namespace {

std::string dockerfile_of(const char* instruction, int lines) {
  std::string text = "FROM scratch\n";
  for (int i = 0; i < lines; ++i) text += fmt::format("{} V{}={}\n", instruction, i, i);
  return text;
}

}  // namespace

int main(int argc, char** argv) {
  const int runs = argc > 1 ? std::max(1, std::atoi(argv[1])) : 5;
  const kiln::TempDir context("kiln-dockerfile-bench");
  const kiln::plugin::BuildInputs inputs{.context = context.path(), .ignore = {}, .build_args = {}, .target = {}};
  fmt::print("runs: {} (median)\n", runs);
  fmt::print("{:<6} {:>7} {:>10} {:>13} {:>13}\n", "", "lines", "parse ms", "interpret ms", "us per line");
  for (const char* instruction : {"ENV", "LABEL"}) {
    for (const int lines : {1'000, 5'000, 10'000, 20'000, 40'000}) {
      const std::string text = dockerfile_of(instruction, lines);
      std::vector<double> parse_ms, interpret_ms;
      for (int run = 0; run < runs; ++run) {
        kiln::plugin::Dockerfile dockerfile;
        parse_ms.push_back(kiln::bench::milliseconds_of(
            [&] { dockerfile = kiln::plugin::parse_dockerfile(text, "Dockerfile"); }));
        interpret_ms.push_back(kiln::bench::milliseconds_of(
            [&] { (void)kiln::plugin::interpret(dockerfile, inputs, kiln::plugin::BaseLookup{}); }));
      }
      const double parse = kiln::bench::stats(parse_ms).median, interpret = kiln::bench::stats(interpret_ms).median;
      fmt::print("{:<6} {:>7} {:>10.1f} {:>13.1f} {:>13.2f}\n", instruction, lines, parse, interpret,
                 (parse + interpret) * 1000.0 / lines);
    }
  }
  return 0;
}
