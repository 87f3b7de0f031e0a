#pragma once
// The optional step after a successful build: the real kiln-verify, run like kiln-plugin
// (own process group, settings as PLUGIN_* variables), writing its JUnit where the server
// keeps the build's report.
#include <atomic>
#include <filesystem>

#include "server/engine/engine.h"
#include "server/store/build_record.h"

namespace kiln::server {

struct VerifyOutcome {
  int exit_code = -1;        ///< kiln-verify's: 0 passed, 1 a test failed, 2 usage, 3 infra
  bool report_written = false;
};

/// Verifies `digest` (built from `spec`); the image defaults to <repo>@<digest>. kiln-verify's
/// temporary files go below `temp_dir`, the build's own.
VerifyOutcome run_verify_step(const std::filesystem::path& verify_binary, const BuildSpec& spec, const std::string& digest,
                              const std::filesystem::path& junit_file, const std::filesystem::path& temp_dir,
                              const LogSink& log, const std::atomic<bool>& cancel);

}  // namespace kiln::server
