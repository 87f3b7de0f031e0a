#pragma once
// What every kiln executable does around its own work, so each main() says only what is its
// own: --help, --version and --settings-reference answered from its settings table, logging set
// up once, and any failure mapped to its exit code with one redacted line on stderr.
#include <functional>
#include <string>
#include <vector>

#include "core/settings.h"

namespace kiln {

struct ProgramText {
  std::string name;  ///< "kiln-plugin", printed by --version with KILN_VERSION
  std::function<std::string()> help;
  std::function<std::string()> settings_reference;
};

/// When the settings ask for help, the settings reference or the version, prints it on stdout
/// and returns true. Otherwise sets up logging at the `log_level` setting, logs the settings'
/// `warnings`, and returns false: the program goes on with its work.
bool answer_informational_request(const Settings& settings, const ProgramText& text,
                                  const std::vector<std::string>& warnings);

/// Runs main's body. A kiln::Error exits with its exit_code(), anything else with
/// ExitClass::infra; either way with one "error: …" line on stderr, secrets redacted.
int run_main(const std::function<int()>& body);

}  // namespace kiln
