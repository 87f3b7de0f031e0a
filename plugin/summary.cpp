#include "plugin/summary.h"

#include <fmt/format.h>

namespace kiln::plugin {

std::string build_summary(const BuildResult& result, std::chrono::milliseconds elapsed) {
  std::string out = "kiln summary:\n";
  for (const auto& ref : result.pushed) out += fmt::format("  pushed   {}@{}\n", ref.to_string(), result.digest.to_string());
  out += fmt::format("  digest   {}\n", result.digest.to_string());
  out += fmt::format("  backend  {}\n", result.backend);
  if (!result.tar_path.empty()) out += fmt::format("  tarball  {}\n", result.tar_path);
  out += fmt::format("  layers   {} new layer(s) uploaded ({} bytes), {} base layer(s) copied\n",
                     result.layers_uploaded, result.layer_bytes_uploaded, result.base_layers_copied);
  out += fmt::format("  time     {:.1f}s\n", static_cast<double>(elapsed.count()) / 1000.0);
  return out;
}

std::string gitlab_section_start(std::int64_t unix_seconds, const std::string& name, const std::string& title) {
  return fmt::format("\x1b[0Ksection_start:{}:{}[collapsed=true]\r\x1b[0K{}\n", unix_seconds, name, title);
}

std::string gitlab_section_end(std::int64_t unix_seconds, const std::string& name) {
  return fmt::format("\x1b[0Ksection_end:{}:{}\r\x1b[0K\n", unix_seconds, name);
}

}  // namespace kiln::plugin
