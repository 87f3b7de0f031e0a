#include "bench/cli/plugin_contender.h"

#include <fmt/format.h>

#include <charconv>

#include "bench/cli/measured_child.h"
#include "core/error.h"
#include "core/log.h"
#include "core/text.h"

namespace kiln::bench {

std::optional<std::int64_t> uploaded_bytes_in_summary(const std::string& output) {
  const std::string marker = " new layer(s) uploaded (";
  const auto at = output.rfind(marker);
  if (at == std::string::npos) return std::nullopt;
  const char* begin = output.data() + at + marker.size();
  std::int64_t bytes = 0;
  const auto [end, ec] = std::from_chars(begin, output.data() + output.size(), bytes);
  if (ec != std::errc() || std::string_view(end, std::min<std::size_t>(7, output.data() + output.size() - end)) != " bytes)")
    return std::nullopt;
  return bytes;
}

Sample PluginContender::run(const RunSlot& slot) {
  std::vector<std::string> argv{invocation_.plugin_binary};
  argv.insert(argv.end(), invocation_.build_args.begin(), invocation_.build_args.end());
  argv.insert(argv.end(), invocation_.overrides.begin(), invocation_.overrides.end());
  for (const std::string& flag : {"--backend=" + invocation_.backend, "--compression=" + slot.compression,
                                  "--repo=" + slot.repository, std::string("--layer_cache_dir=none")})
    argv.push_back(flag);
  const auto log = invocation_.log_dir / fmt::format("kiln-plugin-{}-{}-{}.log", invocation_.backend, slot.compression, slot.run);
  const ChildUsage usage = run_measured(argv, invocation_.environment, log, invocation_.timeout);
  if (usage.exit_code != 0) {
    const std::string message = fmt::format("kiln-plugin ({} backend, {} run {}) exited {}:\n{}", invocation_.backend,
                                            slot.compression, slot.run, usage.exit_code, log::redact(ending(usage.output, 2000)));
    if (usage.exit_code == 2) throw_usage(message);
    throw_infra(message);
  }
  Sample sample{.wall_seconds = usage.wall_seconds, .cpu_seconds = usage.cpu_seconds,
                .peak_rss_bytes = usage.peak_rss_bytes, .bytes_uploaded = std::nullopt};
  // The executor does not say what it pushed, so kiln-plugin's count is native's alone.
  if (invocation_.backend == "native") sample.bytes_uploaded = uploaded_bytes_in_summary(usage.output);
  return sample;
}

}  // namespace kiln::bench
