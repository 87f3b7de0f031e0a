#include "bench/cli/report_json.h"

namespace kiln::bench {
namespace {

template <typename T>
oci::Json or_null(const std::optional<T>& value) {
  return value ? oci::Json(*value) : oci::Json(nullptr);
}

oci::Json spread_json(const Spread& s) { return {{"min", s.min}, {"median", s.median}, {"max", s.max}}; }

const char* verdict_name(Verdict v) {
  return v == Verdict::passed ? "passed" : v == Verdict::failed ? "failed" : "skipped";
}

}  // namespace

oci::Json report_json(const BenchReport& report, const std::vector<BudgetOutcome>& budgets) {
  const Machine& m = report.machine;
  oci::Json doc{{"build", report.build},
                {"registry", report.registry},
                {"runs", report.runs},
                {"compression_level", report.compression_level},
                {"machine", {{"cores", m.cores}, {"cpu", m.cpu}, {"kernel", m.kernel},
                             {"load_average_before", {m.load_before[0], m.load_before[1], m.load_before[2]}},
                             {"load_average_after", {m.load_after[0], m.load_after[1], m.load_after[2]}}}}};
  oci::Json rows = oci::Json::array();
  for (const Row& row : report.rows) {
    oci::Json r{{"name", row.name()}, {"backend", row.backend}, {"compression", row.compression},
                {"absent_reason", row.absent_reason.empty() ? oci::Json(nullptr) : oci::Json(row.absent_reason)}};
    oci::Json samples = oci::Json::array();
    for (const Sample& s : row.samples)
      samples.push_back({{"wall_seconds", s.wall_seconds}, {"cpu_seconds", s.cpu_seconds},
                         {"peak_rss_bytes", or_null(s.peak_rss_bytes)}, {"bytes_uploaded", or_null(s.bytes_uploaded)}});
    r["samples"] = samples;
    if (!row.samples.empty()) {
      const RowFigures f = figures_of(row.samples);
      r["wall_seconds"] = spread_json(f.wall);
      r["cpu_seconds"] = spread_json(f.cpu);
      r["peak_rss_bytes"] = or_null(f.peak_rss_bytes);
      r["bytes_uploaded"] = or_null(f.bytes_uploaded);
      r["ratio_to_floor"] = or_null(ratio_to(report, row, "floor"));
      r["ratio_to_native"] = or_null(ratio_to(report, row, "native"));
    }
    r["uploaded_note"] = row.uploaded_note.empty() ? oci::Json(nullptr) : oci::Json(row.uploaded_note);
    rows.push_back(std::move(r));
  }
  doc["rows"] = rows;
  oci::Json checked = oci::Json::array();
  for (const BudgetOutcome& b : budgets)
    checked.push_back({{"budget", b.budget.text}, {"row", b.row}, {"verdict", verdict_name(b.verdict)},
                       {"median_seconds", or_null(b.median_seconds)}, {"limit_seconds", b.budget.seconds},
                       {"message", b.message}});
  doc["budgets"] = checked;
  return doc;
}

}  // namespace kiln::bench
