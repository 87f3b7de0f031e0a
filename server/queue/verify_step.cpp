#include "server/queue/verify_step.h"

#include <fmt/format.h>

#include "server/engine/local_engine.h"
#include "server/engine/process_group_child.h"

namespace kiln::server {

VerifyOutcome run_verify_step(const std::filesystem::path& verify_binary, const BuildSpec& spec, const std::string& digest,
                              const std::filesystem::path& junit_file, const std::filesystem::path& temp_dir,
                              const LogSink& log, const std::atomic<bool>& cancel) {
  VerifyOutcome outcome;
  auto env = clean_base_environment();
  for (const auto& [k, v] : spec.verify_settings) env[plugin_variable(k)] = v;
  for (const auto& [k, v] : spec.verify_secret_settings) env[plugin_variable(k)] = v;
  if (!spec.verify_settings.contains("image")) {
    const auto repo = spec.settings.find("repo");
    if (repo != spec.settings.end()) env["PLUGIN_IMAGE"] = repo->second + "@" + digest;
  }
  env["PLUGIN_JUNIT"] = junit_file.string();
  // A client's spec must not read the server's environment or files (containerRunOptions).
  env["PLUGIN_HOST_RUN_OPTIONS"] = "false";
  env["TMPDIR"] = build_tmpdir(temp_dir).string();
  log(fmt::format("--- kiln-server: verify step ({})", verify_binary.filename().string()));
  std::error_code ec;
  std::filesystem::remove(junit_file, ec);
  try {
    const GroupRun run = run_in_process_group({verify_binary.string()}, env, spec.context_dir, log, cancel);
    outcome.exit_code = run.exit_code;
  } catch (const std::exception& e) {
    log(fmt::format("kiln-server: cannot run kiln-verify: {}", e.what()));
  }
  outcome.report_written = std::filesystem::exists(junit_file);
  return outcome;
}

}  // namespace kiln::server
