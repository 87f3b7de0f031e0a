#pragma once
// kiln-plugin itself, run as a CI step would run it, with one backend (native, or kaniko
// through its executor setting): the build's settings as given, plus kiln-bench's overrides
// (backend, compression, the run's repository, no layer cache: every run is a cold build).
#include <chrono>
#include <cstdint>
#include <optional>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "bench/cli/contender.h"

namespace kiln::bench {

struct PluginInvocation {
  std::string plugin_binary;
  std::string backend;                             ///< native or kaniko
  std::vector<std::string> build_args;             ///< the build's flags, as given to kiln-bench
  std::vector<std::string> overrides;              ///< flags after them (they win)
  std::map<std::string, std::string> environment;  ///< the whole child environment
  std::filesystem::path log_dir;
  std::chrono::seconds timeout{900};
};

class PluginContender final : public Contender {
 public:
  explicit PluginContender(PluginInvocation invocation) : invocation_(std::move(invocation)) {}
  Sample run(const RunSlot& slot) override;

 private:
  PluginInvocation invocation_;
};

/// The bytes kiln-plugin's summary says its new layers took ("N new layer(s) uploaded (B
/// bytes)"); none when the output has no such line.
std::optional<std::int64_t> uploaded_bytes_in_summary(const std::string& output);

}  // namespace kiln::bench
