#include "bench/in_memory_workload.h"

#include <fstream>
#include <iterator>
#include <map>

#include "bench/workload.h"
#include "core/temp_dir.h"

namespace kiln::bench {

const std::string& real_binary_in_memory(std::size_t bytes) {
  // Benchmarks run on one thread; a map keeps each size's bytes for the whole process.
  static std::map<std::size_t, std::string> made;
  auto found = made.find(bytes);
  if (found != made.end()) return found->second;
  TempDir dir("kiln-bench-input");
  const auto file = dir.path() / "app.bin";
  write_real_binary_bytes(file, bytes, 0);
  std::ifstream in(file, std::ios::binary);
  return made.emplace(bytes, std::string(std::istreambuf_iterator<char>(in), {})).first->second;
}

}  // namespace kiln::bench
