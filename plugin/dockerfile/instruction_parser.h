#pragma once
// Second stage of the Dockerfile parser: one logical line → one Instruction, checked against
// what BuildKit's instructions package accepts for that keyword (flags, argument count).
#include <string_view>

#include "plugin/dockerfile/dockerfile.h"
#include "plugin/dockerfile/logical_lines.h"

namespace kiln::plugin::detail {

/// Throws kiln::Error(usage) "<file>:<line>: <what>" for an unknown keyword or flag, a
/// missing argument, a heredoc, a JSON array that is not strings or is not terminated.
Instruction parse_instruction(const LogicalLine& line, char escape, std::string_view file_name);

}  // namespace kiln::plugin::detail
