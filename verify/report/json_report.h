#pragma once
// The run as JSON, for tools: a stable shape with snake_case keys and durations in seconds.
//   {"kiln_version", "image": {"reference", "digest", "platform"}, "driver", "timestamp",
//    "hostname", "exit_code", "infra_error"?, "totals": {tests, passed, failed, errors, skipped},
//    "suites": [{"name", "source", "seconds", "totals", "tests": [{"classname", "name",
//    "status", "message"?, "details"?, "seconds", "stdout"?, "stderr"?}]}]}
// Keys marked ? appear only when non-empty. Output bytes that are not UTF-8 become U+FFFD.
#include <string>

#include "oci/json.h"
#include "verify/report/result.h"

namespace kiln::verify {

oci::Json json_report(const RunReport& report);
/// json_report() as indented text with a final newline.
std::string to_json_report(const RunReport& report);

}  // namespace kiln::verify
