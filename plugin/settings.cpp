#include "plugin/settings.h"

#include <fmt/format.h>

#include <sstream>

namespace kiln::plugin {

Settings load_settings(const Env& env, const std::vector<std::string>& args, std::vector<std::string>* warnings) {
  return Settings::load(setting_specs(), env, args, warnings);
}

std::string closest_setting(const std::string& word) { return kiln::closest_setting(setting_specs(), word); }

std::string help_text() {
  std::ostringstream out;
  out << "kiln-plugin: build a container image without privileges and push it.\n\n"
         "Settings come from --name value flags, PLUGIN_<NAME> variables (Drone and Woodpecker\n"
         "`settings:`) or KILN_<NAME> variables (GitLab job `variables:`), in that order of\n"
         "precedence. On GitLab, repo defaults to $CI_REGISTRY_IMAGE and the CI_REGISTRY and\n"
         "CI_DEPENDENCY_PROXY logins are added. Other environment: SOURCE_DATE_EPOCH (timestamps),\n"
         "DOCKER_CONFIG (credentials in config.json).\n\nSettings:\n";
  out << settings_list_text(setting_specs());
  out << "\nExit codes: 0 pushed (or skipped: auto_tag on another branch), 2 bad settings or input,\n"
         "3 registry or environment failure; a failing Kaniko executor's own code is passed through\n"
         "(137: killed, usually out of memory).\n";
  return out.str();
}


std::string settings_reference_markdown() {
  std::ostringstream out;
  out << "Generated from the settings table (`kiln-plugin --settings-reference`); do not edit by hand,\n"
         "run `ci/update-readme.sh`.\n\n"
         "Each setting is read, highest precedence first, from the flag `--<name>` (`-` or `_`), the\n"
         "variable `PLUGIN_<NAME>` (Drone and Woodpecker `settings:`), the variable `KILN_<NAME>` (GitLab\n"
         "job `variables:`), the plain variables of the last column, then the default. An alias\n"
         "works everywhere the name does (`PLUGIN_<ALIAS>`, `KILN_<ALIAS>`, `--<alias>`). Secrets are\n"
         "never printed.\n\n" << settings_markdown_table(setting_specs());  out << "\nAccepted so that existing pipelines keep working, but without effect (each one that is set\n"
         "is reported once in the log):\n\n"
         "| setting | of | why it has no effect |\n"
         "|---|---|---|\n";
  for (const auto& spec : setting_specs()) {
    if (spec.ignored_reason.empty()) continue;
    std::string names = "`" + spec.name + "`";
    if (!spec.aliases.empty()) names += " (" + markdown_code_list(spec.aliases) + ")";
    if (!spec.env.empty()) names += " (also " + markdown_code_list(spec.env) + ")";
    out << fmt::format("| {} | {} | {} |\n", names, markdown_cell(spec.help), markdown_cell(spec.ignored_reason));
  }
  return out.str();
}

}  // namespace kiln::plugin
