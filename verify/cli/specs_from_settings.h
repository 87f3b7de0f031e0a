#pragma once
// Which suites a run checks: the spec files of `config`, and the built-in application suite
// (`app_suite`: auto = only when no spec file is given).
#include <vector>

#include "core/settings.h"
#include "verify/spec/spec.h"

namespace kiln::verify {

/// Throws kiln::Error(usage) naming the setting or spec file at fault.
std::vector<Spec> specs_from_settings(const Settings& settings);

}  // namespace kiln::verify
