#include "bench/cli/bench_session.h"

#include <fmt/format.h>

#include <cstdlib>
#include <ostream>

namespace kiln::bench {
namespace {

void load_average(double (&out)[3]) {
  if (getloadavg(out, 3) != 3) out[0] = out[1] = out[2] = 0;
}

}  // namespace

BenchReport run_session(BenchSetup& setup, std::ostream& progress) {
  BenchReport report = setup.report_skeleton();
  load_average(report.machine.load_before);
  int present = 0;
  for (const PlannedRow& p : setup.rows()) present += p.contender ? 1 : 0;
  const int total = present * report.runs;
  int done = 0;
  for (int run = 1; run <= report.runs; ++run) {
    for (std::size_t i = 0; i < setup.rows().size(); ++i) {
      PlannedRow& planned = setup.rows()[i];
      if (!planned.contender) continue;
      progress << fmt::format("kiln-bench: [{}/{}] {} run {}/{} ... ", ++done, total, planned.row.name(), run, report.runs)
               << std::flush;
      const RunSlot slot{.compression = planned.row.compression, .run = run,
                         .repository = setup.repository_for(planned.row, run)};
      const Sample sample = planned.contender->run(slot);
      progress << fmt::format("{:.3f} s\n", sample.wall_seconds) << std::flush;
      report.rows[i].samples.push_back(sample);
    }
  }
  load_average(report.machine.load_after);
  return report;
}

}  // namespace kiln::bench
