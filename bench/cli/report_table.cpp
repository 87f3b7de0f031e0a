#include "bench/cli/report_table.h"

#include <fmt/format.h>

#include <optional>

namespace kiln::bench {
namespace {

std::string mb(std::optional<std::int64_t> bytes) {
  return bytes ? fmt::format("{:.1f}", static_cast<double>(*bytes) / 1e6) : "n/a";
}

std::string ratio(std::optional<double> r) { return r ? fmt::format("{:.2f}x", *r) : "-"; }

std::string load(const double (&l)[3]) { return fmt::format("{:.2f} {:.2f} {:.2f}", l[0], l[1], l[2]); }

}  // namespace

std::string render_table(const BenchReport& report, const std::vector<BudgetOutcome>& budgets) {
  std::string out = fmt::format("kiln-bench: {}\n", report.build);
  out += fmt::format("  registry: {}\n", report.registry);
  out += fmt::format("  machine: {} cores, {}, {}; load average {} before, {} after\n", report.machine.cores,
                     report.machine.cpu, report.machine.kernel, load(report.machine.load_before),
                     load(report.machine.load_after));
  out += fmt::format("  {} runs per row, compression level {}; wall and CPU in seconds, memory and uploads in MB\n\n",
                     report.runs, report.compression_level);
  out += fmt::format("  {:<14} {:>8} {:>8} {:>8} {:>8} {:>8} {:>9} {:>8} {:>9}\n", "row", "median", "min", "max",
                     "cpu", "peak MB", "upload MB", "x floor", "x native");
  std::vector<std::string> notes;
  for (const Row& row : report.rows) {
    if (!row.absent_reason.empty()) {
      out += fmt::format("  {:<14} {}\n", row.name(), "not run: " + row.absent_reason);
      continue;
    }
    if (row.samples.empty()) continue;
    const RowFigures f = figures_of(row.samples);
    out += fmt::format("  {:<14} {:>8.3f} {:>8.3f} {:>8.3f} {:>8.3f} {:>8} {:>9} {:>8} {:>9}\n", row.name(),
                       f.wall.median, f.wall.min, f.wall.max, f.cpu.median, mb(f.peak_rss_bytes),
                       row.backend == "floor" ? "-" : mb(f.bytes_uploaded), ratio(ratio_to(report, row, "floor")),
                       ratio(ratio_to(report, row, "native")));
    if (!row.uploaded_note.empty()) notes.push_back(fmt::format("{}: {}", row.name(), row.uploaded_note));
  }
  if (!budgets.empty()) {
    out += "\n  budgets:\n";
    for (const BudgetOutcome& b : budgets) {
      const char* word = b.verdict == Verdict::passed ? "PASS" : b.verdict == Verdict::failed ? "FAIL" : "SKIP";
      out += fmt::format("    {}  {}\n", word, b.message);
    }
  }
  if (!notes.empty()) {
    out += "\n  notes:\n";
    for (const auto& note : notes) out += "    " + note + "\n";
  }
  return out;
}

}  // namespace kiln::bench
