#pragma once
// One verification run: every selected platform of the image, every suite, through one driver,
// into one report. A platform whose driver fails is reported as an error suite; the others
// still count.
#include <stop_token>
#include <vector>

#include "verify/cli/image_selection.h"
#include "verify/driver/driver.h"
#include "verify/report/result.h"
#include "verify/spec/spec.h"

namespace kiln::verify {

/// Fills `report.suites` (report's image, driver and other fields are the caller's). A requested
/// `stop` ends the run before the next platform, or wherever the driver meets it, with
/// StopRequested: a stopped run is not a report.
void run_verify(const ImageSelection& selection, const std::vector<Spec>& specs, Driver& driver, RunReport& report,
                const std::stop_token& stop = {});

}  // namespace kiln::verify
