#include "core/program.h"

#include <spdlog/spdlog.h>

#include <iostream>

#include "core/error.h"
#include "core/log.h"

namespace kiln {

bool answer_informational_request(const Settings& settings, const ProgramText& text,
                                  const std::vector<std::string>& warnings) {
  if (settings.help_requested()) {
    std::cout << text.help();
    return true;
  }
  if (settings.reference_requested()) {
    std::cout << text.settings_reference();
    return true;
  }
  if (settings.version_requested()) {
    std::cout << text.name << " " << KILN_VERSION << "\n";
    return true;
  }
  log::setup(log::parse_level(settings.get("log_level")));
  for (const auto& w : warnings) spdlog::warn("{}", w);
  return false;
}

int run_main(const std::function<int()>& body) {
  try {
    return body();
  } catch (const Error& e) {
    std::cerr << "error: " << log::redact(e.what()) << "\n";
    return e.exit_code();
  } catch (const std::exception& e) {
    std::cerr << "error: " << log::redact(e.what()) << "\n";
    return static_cast<int>(ExitClass::infra);
  }
}

}  // namespace kiln
