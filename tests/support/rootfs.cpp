#include "tests/support/rootfs.h"

#include <sstream>

#include "tests/support/tools.h"

namespace kiln::testing {

namespace fs = std::filesystem;

void make_merged_usr(const fs::path& rootfs) {
  for (const char* dir : {"lib", "lib64", "bin", "sbin"}) {
    fs::create_directories(rootfs / "usr" / dir);
    fs::create_symlink(std::string("usr/") + dir, rootfs / dir);
  }
}

void copy_into(const fs::path& rootfs, const fs::path& host_path, const std::string& image_path) {
  const fs::path target = rootfs / fs::path(image_path).relative_path();
  fs::create_directories(target.parent_path());
  fs::copy_file(host_path, target, fs::copy_options::overwrite_existing);
}

std::vector<std::string> ldd_paths(const fs::path& binary) {
  std::istringstream lines(run_ok({"ldd", binary.string()}));
  std::vector<std::string> paths;
  for (std::string line; std::getline(lines, line);) {
    // "\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x…)" or "\t/lib64/ld-linux-x86-64.so.2 (0x…)"
    std::istringstream words(line);
    std::vector<std::string> parts;
    for (std::string word; words >> word;) parts.push_back(word);
    if (parts.size() == 4 && parts[1] == "=>" && parts[2].starts_with("/")) paths.push_back(parts[2]);
    if (parts.size() == 2 && parts[0].starts_with("/")) paths.push_back(parts[0]);
  }
  return paths;
}

void copy_with_libraries(const fs::path& rootfs, const fs::path& binary, const std::string& image_path) {
  copy_into(rootfs, binary, image_path);
  for (const auto& library : ldd_paths(binary)) copy_into(rootfs, library, library);
}

}  // namespace kiln::testing
