#pragma once
// Which suites a run checks: the spec files of `config`, and the built-in application suite
// (`app_suite`: auto = only when no spec file is given).
#include <vector>

#include "core/env.h"
#include "core/settings.h"
#include "verify/spec/spec.h"

namespace kiln::verify {

/// Throws kiln::Error(usage) naming the setting or spec file at fault. `env` values the specs'
/// containerRunOptions (resolve_run_env).
std::vector<Spec> specs_from_settings(const Settings& settings, const Env& env);

/// Fills `spec.run_env` as CST does: the envFile's variables (read relative to the working
/// directory), then each envVars name with its value in `env`; unset or empty ones are left out.
/// Every value is registered as a secret, so logs never show it. Throws kiln::Error(usage)
/// naming the spec and the envFile when it cannot be read (CST only warns and goes on).
void resolve_run_env(Spec& spec, const Env& env);

}  // namespace kiln::verify
