#pragma once
// The run for people: a header naming the image, one line per test (PASS, FAIL, ERROR, SKIP)
// with the failure message or reason indented below it, and the totals with the exit code.
#include <string>

#include "verify/report/result.h"

namespace kiln::verify {

std::string to_text_report(const RunReport& report);

}  // namespace kiln::verify
