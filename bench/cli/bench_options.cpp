#include "bench/cli/bench_options.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <functional>

#include <charconv>
#include <map>

#include "core/duration.h"
#include "core/error.h"

namespace kiln::bench {
namespace {

std::vector<std::string> split_list(const std::string& flag, const std::string& value,
                                    const std::vector<std::string>& allowed) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= value.size()) {
    const std::size_t comma = std::min(value.find(',', start), value.size());
    const std::string item = value.substr(start, comma - start);
    if (!item.empty()) {
      if (std::find(allowed.begin(), allowed.end(), item) == allowed.end())
        throw_usage(fmt::format("{} {}: unknown value '{}' (known: {})", flag, value, item, fmt::join(allowed, ", ")));
      if (std::find(out.begin(), out.end(), item) == out.end()) out.push_back(item);
    }
    start = comma + 1;
  }
  if (out.empty()) throw_usage(fmt::format("{} needs at least one value", flag));
  return out;
}

std::size_t positive_number(const std::string& flag, std::string_view text) {
  std::size_t n = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size() || n == 0)
    throw_usage(fmt::format("{} {}: not a positive whole number", flag, text));
  return n;
}

GeneratedWorkload parse_workload(const std::string& value) {
  const auto comma = value.find(',');
  if (comma == std::string::npos)
    throw_usage(fmt::format("--workload {}: expected BINARY_MB,BASE_MB (the reference workload: 50,100)", value));
  return {.binary_mb = positive_number("--workload", std::string_view(value).substr(0, comma)),
          .base_mb = positive_number("--workload", std::string_view(value).substr(comma + 1))};
}

}  // namespace

BenchOptions parse_bench_args(const std::vector<std::string>& args) {
  BenchOptions options;
  // kiln-bench's flags, each with a value; kiln-plugin's flags pass through untouched.
  const std::map<std::string, std::function<void(const std::string&)>> flags{
      {"runs", [&](const std::string& v) {
         const std::size_t n = positive_number("--runs", v);
         if (n > 1000) throw_usage(fmt::format("--runs {}: at most 1000", v));
         options.runs = static_cast<int>(n);
       }},
      {"compression", [&](const std::string& v) { options.compressions = split_list("--compression", v, {"gzip", "zstd", "none"}); }},
      {"backends", [&](const std::string& v) { options.backends = split_list("--backends", v, {"native", "kaniko", "buildah"}); }},
      {"budget", [&](const std::string& v) { options.budgets.push_back(parse_budget(v)); }},
      {"json", [&](const std::string& v) { options.json_file = v; }},
      {"junit", [&](const std::string& v) { options.junit_file = v; }},
      {"plugin", [&](const std::string& v) { options.plugin_binary = v; }},
      {"workload", [&](const std::string& v) { options.workload = parse_workload(v); }},
      {"run-timeout", [&](const std::string& v) {
         const auto d = parse_go_duration(v);
         if (!d || *d < std::chrono::seconds(1)) throw_usage(fmt::format("--run-timeout {}: not a duration of 1s or more", v));
         options.run_timeout = std::chrono::duration_cast<std::chrono::seconds>(*d);
       }},
  };
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--help" || arg == "-h") {
      options.help = true;
      continue;
    }
    if (!arg.starts_with("--")) {
      options.plugin_args.push_back(arg);
      continue;
    }
    const auto equals = arg.find('=');
    const std::string name = arg.substr(2, equals == std::string::npos ? std::string::npos : equals - 2);
    const auto flag = flags.find(name);
    if (flag == flags.end()) {
      options.plugin_args.push_back(arg);
      continue;
    }
    if (equals != std::string::npos) {
      flag->second(arg.substr(equals + 1));
    } else {
      if (i + 1 >= args.size() || args[i + 1].starts_with("--")) throw_usage(fmt::format("--{} needs a value", name));
      flag->second(args[++i]);
    }
  }
  return options;
}

std::string bench_help_text() {
  return R"(kiln-bench: what a build costs, per backend present on this machine, against the floor.

usage: kiln-bench [kiln-bench flags] [kiln-plugin settings as flags or PLUGIN_*/KILN_* variables]

The build is given exactly as to kiln-plugin (binary + base_image, or dockerfile + context, ...).
With no repo (and no registry), kiln-bench starts docker-registry on 127.0.0.1 and pushes there.

kiln-bench flags:
  --runs N                 runs per row (default 5); the table shows min, median and max
  --compression LIST       gzip,zstd,none (default: the build's compression setting)
  --backends LIST          native,kaniko,buildah (default: each one present; kaniko when the
                           executor setting names an executable, buildah when it is installed)
  --budget ROW=DURATION    e.g. native=2s or native/zstd=500ms (repeatable): a median over it is
                           a JUnit failure and exit 1
  --json FILE              every sample and figure as JSON
  --junit FILE             one test case per budget and row
  --plugin PATH            kiln-plugin to run (default: next to kiln-bench, else on PATH)
  --workload BIN_MB,BASE_MB  make the reference build: BIN_MB of real machine code on a busybox
                           base with BASE_MB more, in the embedded registry (50,100)
  --run-timeout DURATION   one build's limit (default 15m)
  --help                   this text (the build settings: kiln-plugin --help)

Exit: 0 done, 1 a budget exceeded, 2 a setting or flag is wrong, 3 registry or tool failure.
)";
}

}  // namespace kiln::bench
