#include "tests/support/files.h"

#include <fstream>
#include <iterator>

namespace kiln::testing {

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

}  // namespace kiln::testing
