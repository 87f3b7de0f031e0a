#pragma once
// First stage of the Dockerfile parser: parser directives, comments and line continuations,
// giving one logical line per instruction (BuildKit's parser.Parse loop).
#include <string>
#include <string_view>
#include <vector>

namespace kiln::plugin::detail {

struct LogicalLine {
  std::string text;  ///< continuations joined, escape characters at line ends removed
  int line = 0;      ///< 1-based line where the instruction starts
};

struct LogicalLines {
  char escape = '\\';  ///< from "# escape="
  std::vector<LogicalLine> lines;
};

/// Throws kiln::Error(usage) "<file>:<line>: <what>".
[[noreturn]] void fail_at(std::string_view file_name, int line, const std::string& what);

/// Splits Dockerfile text into logical lines; throws for a bad or repeated directive.
LogicalLines split_logical_lines(std::string_view text, std::string_view file_name);

/// Go's unicode.IsSpace restricted to ASCII, which is what Dockerfiles use.
inline bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }
std::string_view trim_left(std::string_view s);
std::string_view trim(std::string_view s);

}  // namespace kiln::plugin::detail
