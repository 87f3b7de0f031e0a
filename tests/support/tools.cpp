#include "tests/support/tools.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <stdexcept>

namespace kiln::testing {

std::string run_ok(const std::vector<std::string>& argv, const ProcessOptions& options) {
  ProcessOptions bounded = options;
  if (bounded.timeout.count() == 0) bounded.timeout = std::chrono::seconds(120);
  const ProcessResult r = run_process(argv, bounded);
  if (r.exit_code != 0)
    throw std::runtime_error(fmt::format("`{}` exited {}\nstdout: {}\nstderr: {}", fmt::join(argv, " "), r.exit_code,
                                         r.out, r.err));
  return r.out;
}

ProcessResult run_plugin(const std::map<std::string, std::string>& env, const std::vector<std::string>& args) {
#ifndef KILN_PLUGIN_BINARY
#error "KILN_PLUGIN_BINARY must name the kiln-plugin executable under test"
#endif
  std::vector<std::string> argv{KILN_PLUGIN_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  ProcessOptions options;
  options.extra_env = env;
  options.timeout = std::chrono::seconds(120);
  return run_process(argv, options);
}

std::string digest_in(const std::string& output) {
  const auto at = output.find("digest sha256:");
  return at == std::string::npos ? "" : output.substr(at + 7, 71);
}

}  // namespace kiln::testing
