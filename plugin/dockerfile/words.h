#pragma once
// How BuildKit's parser cuts an instruction's text into flags and words, before any
// variable expansion (frontend/dockerfile/parser: extractBuilderFlags, parseWords, parseJSON).
#include <string>
#include <string_view>
#include <vector>

namespace kiln::plugin::detail {

struct FlagsAndRest {
  std::vector<std::string> flags;  ///< "--name=value" words, quotes and backslashes resolved
  std::string rest;                ///< the text after the flags, not trimmed
};
/// Leading words that start with "--"; a lone "--" ends the flags.
FlagsAndRest extract_flags(std::string_view line);

/// Words split on unquoted blanks, quotes and escape characters kept (parseWords).
std::vector<std::string> parse_words(std::string_view text, char escape);

/// Words split on runs of blanks, quotes not special (reWhitespace.Split).
std::vector<std::string> split_blanks(std::string_view text);

struct JsonArray {
  enum class Kind { not_json, strings, not_strings, unterminated } kind = Kind::not_json;
  std::vector<std::string> items;
};
/// The JSON form: text starting with '[' that parses as an array. `unterminated` is kiln's
/// addition: text that starts like an array of strings (`["`) and ends inside it is almost
/// always a typo, which BuildKit would silently run as a shell command.
JsonArray parse_json_array(std::string_view text);

}  // namespace kiln::plugin::detail
