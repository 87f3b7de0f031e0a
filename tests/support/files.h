#pragma once
// Reading back what a test or the program under test wrote.
#include <filesystem>
#include <string>

namespace kiln::testing {

/// The file's bytes; empty when it does not exist or cannot be read (tests assert on the text).
std::string read_file(const std::filesystem::path& path);

/// Whether `text` (a program's output, an error message) contains `part`.
inline bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace kiln::testing
