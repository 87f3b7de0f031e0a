#pragma once
// From facts back to verdicts: every test of every spec judged on what the driver found. This
// is the only place assertions are evaluated, so every driver is judged by the same code.
//
// - passed / failed: the assertions held / did not; a failure's message names each failed
//   assertion with what was expected and what was found, joined by "; ".
// - error: a fact the test needs could not be found out (the path's `error`, a command that did
//   not run); an infrastructure problem, not a verdict on the image. So a driver reports a
//   path that is simply absent as exists=false with an empty `error`.
// - a command that did not start because of the image (its CommandFacts.error says
//   "executable file not found", "not found in PATH", "no such file or directory", "permission
//   denied" or "exec format error") fails: that is what a shell would report as 126/127.
// - skipped: `skip`, a `platforms` list without this platform, or a command test on a driver
//   that does not run commands (its CommandFacts.error says "does not run commands" or "cannot
//   run commands").
#include <string>
#include <vector>

#include "inspect/facts.h"
#include "oci/image/platform.h"
#include "oci/json.h"
#include "verify/report/result.h"
#include "verify/spec/spec.h"

namespace kiln::verify {

/// One SuiteResult per spec, in order. Suite names are made unique ("x", "x-2"); classnames are
/// "kiln.verify.<suite>.<kind>" with kind command, fileExistence, fileContent, license, metadata or elf;
/// a repeated test name within a classname gets " (2)", " (3)", … so (classname, name) is unique.
std::vector<SuiteResult> evaluate(const std::vector<Spec>& specs, const oci::Json& image_config,
                                  const oci::Platform& platform, const inspect::Facts& facts,
                                  const std::string& driver_name);

/// "kiln.verify.<suite>." with the suite name made safe for Jenkins' package.class split
/// (characters other than letters, digits, '-' and '_' become '_'): what every classname of the
/// suite starts with.
std::string classname_prefix(const std::string& suite_name);

}  // namespace kiln::verify
