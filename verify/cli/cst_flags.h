#pragma once
// container-structure-test's command line, as its users type it, turned into kiln-verify's
// settings flags before they are read: a leading `test` subcommand, the short flags -c, -i, -o,
// -q, -d, and --config given once per file (CST accumulates them; a flag read twice would
// otherwise keep only the last). Everything else passes through unchanged.
#include <string>
#include <vector>

namespace kiln::verify {

/// Throws kiln::Error(usage) for a short flag without its value.
std::vector<std::string> translate_cst_flags(const std::vector<std::string>& args);

}  // namespace kiln::verify
