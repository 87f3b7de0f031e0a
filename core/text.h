#pragma once
// Trimming and splitting text the same way everywhere in kiln: settings, env files, tag files,
// service account files, ld.so.conf, the end of a failed program's output.
#include <string>
#include <string_view>
#include <vector>

namespace kiln {

/// ASCII whitespace as C's isspace sees it: space, \t, \n, \v, \f, \r.
inline constexpr std::string_view ascii_whitespace = " \t\n\v\f\r";

/// `text` without leading and trailing whitespace (ascii_whitespace).
std::string_view trim(std::string_view text);

/// The pieces of `text` between the `separator`s, as they are (empty ones too): "a::b" split on
/// ':' is {"a", "", "b"}, and "" is {""}.
std::vector<std::string> split(std::string_view text, char separator);

/// The pieces of `text` between any of the characters of `separators`, each trimmed, the empty
/// ones dropped: "a, b,,c" split on "," is {"a", "b", "c"}.
std::vector<std::string> split_trimmed(std::string_view text, std::string_view separators);

/// The end of `text`, where a failed program says what went wrong: all of it when it has at most
/// `max` bytes, else "…" and its last `max` bytes or fewer, never starting inside a UTF-8 character.
std::string ending(std::string_view text, std::size_t max);

}  // namespace kiln
