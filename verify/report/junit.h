#pragma once
// JUnit XML that both schemas kiln promises accept: Jenkins xunit's junit-10.xsd and the
// Apache Ant dialect (windyroad JUnit.xsd, the strictest in common use). What that means:
// - <testsuites> carries no attributes (Ant allows none); one <testsuite> per spec with name,
//   package, integer id, timestamp without zone, hostname, tests/failures/errors/skipped and
//   time, then <properties> (image, digest, platform, driver, kiln version, spec source), the
//   test cases, and <system-out>/<system-err>, which Ant requires on every suite;
// - each <testcase> has name, classname and time and at most one <failure message type>,
//   <error message type> or <skipped message>;
// - times are plain decimals ("%.3f"), never exponents.
// Ant forbids <system-out> inside a test case, so a command's output goes into its suite's
// <system-out>/<system-err> under a header naming the test, and, for a test that failed or
// erred, also into the <failure>/<error> text — which is what GitLab shows. All text is made
// valid XML (xml_text) and output is truncated (64 KiB per test and stream, about 1 MiB per
// suite), so binary or endless output cannot break the file or GitLab's 30 MB limit.
// A report with no suite still gets one ("kiln-verify") carrying the properties and, when the
// run failed before its tests, an <error> test case with the reason.
#include <string>

#include "verify/report/result.h"

namespace kiln::verify {

std::string to_junit_xml(const RunReport& report);

}  // namespace kiln::verify
