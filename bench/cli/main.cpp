// kiln-bench: what a build costs per backend on this machine, against the floor of the work.
// Catches every error once and maps it to an exit code: 1 a budget exceeded, 2 a setting or
// flag at fault, 3 a registry or tool failure.
#include <unistd.h>

#include <filesystem>
#include <iostream>

#include "bench/cli/bench_options.h"
#include "bench/cli/bench_session.h"
#include "bench/cli/bench_setup.h"
#include "bench/cli/report_json.h"
#include "bench/cli/report_junit.h"
#include "bench/cli/report_table.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "core/log.h"

namespace {

std::filesystem::path self_path(const char* argv0) {
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::filesystem::absolute(argv0) : exe;
}

void write_report_file(const std::string& path, const std::string& text, const std::string& flag) {
  try {
    kiln::write_file_atomically(path, text);
  } catch (const kiln::Error& e) {
    kiln::throw_usage(flag + " " + path + ": " + e.what());
  }
}

int run(int argc, char** argv) {
  using namespace kiln::bench;
  const BenchOptions options = parse_bench_args({argv + 1, argv + argc});
  if (options.help) {
    std::cout << bench_help_text();
    return 0;
  }
  kiln::log::setup(kiln::log::Level::warn);
  BenchSetup setup(options, kiln::Env::from_process(), self_path(argv[0]), std::cerr);
  const BenchReport report = run_session(setup, std::cerr);
  const auto budgets = check_budgets(report, options.budgets);
  std::cout << render_table(report, budgets) << std::flush;
  if (!options.json_file.empty()) write_report_file(options.json_file, report_json(report, budgets).dump(2) + "\n", "--json");
  if (!options.junit_file.empty()) write_report_file(options.junit_file, report_junit(report, budgets), "--junit");
  for (const auto& b : budgets)
    if (b.verdict == Verdict::failed) return static_cast<int>(kiln::ExitClass::test_failed);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const kiln::Error& e) {
    std::cerr << "\nkiln-bench: error: " << kiln::log::redact(e.what()) << "\n";
    return static_cast<int>(e.exit_class());
  } catch (const std::exception& e) {
    std::cerr << "\nkiln-bench: error: " << kiln::log::redact(e.what()) << "\n";
    return static_cast<int>(kiln::ExitClass::infra);
  }
}
