#pragma once
// The measuring loop: run after run, every row in turn (so a change in the machine's load
// falls on every row alike rather than on whichever ran last), with a progress line per run.
#include <iosfwd>

#include "bench/cli/bench_report.h"
#include "bench/cli/bench_setup.h"

namespace kiln::bench {

/// Runs every present row `runs` times and returns the filled report (load averages taken
/// before the first and after the last run).
BenchReport run_session(BenchSetup& setup, std::ostream& progress);

}  // namespace kiln::bench
