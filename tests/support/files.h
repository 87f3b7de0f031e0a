#pragma once
// Reading back what a test or the program under test wrote.
#include <filesystem>
#include <string>

namespace kiln::testing {

/// The file's bytes; empty when it does not exist or cannot be read (tests assert on the text).
std::string read_file(const std::filesystem::path& path);

}  // namespace kiln::testing
