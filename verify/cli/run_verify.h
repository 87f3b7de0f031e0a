#pragma once
// One verification run: every selected platform of the image, every suite, through one driver,
// into one report. A platform whose driver fails is reported as an error suite; the others
// still count.
#include <vector>

#include "verify/cli/image_selection.h"
#include "verify/driver/driver.h"
#include "verify/report/result.h"
#include "verify/spec/spec.h"

namespace kiln::verify {

/// Fills `report.suites` (report's image, driver and other fields are the caller's).
void run_verify(const ImageSelection& selection, const std::vector<Spec>& specs, Driver& driver, RunReport& report);

}  // namespace kiln::verify
