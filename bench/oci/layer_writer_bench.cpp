// write_layer throughput for one 50 MiB file of real machine code: ELF files from /usr/bin
// concatenated, which compresses like a large static binary (~45 % with gzip -1), unlike
// random bytes (incompressible) or zeros (trivial).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <filesystem>
#include <stdexcept>
#include <fstream>
#include <string>
#include <vector>

#include "core/temp_dir.h"
#include "oci/layer/layer_writer.h"

namespace {

namespace fs = std::filesystem;
using kiln::oci::Compression;

constexpr std::size_t kInputSize = 50u << 20;

bool is_elf(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  char magic[4] = {};
  return in.read(magic, 4) && std::string(magic, 4) == "\x7f" "ELF";
}

// Made once per process and shared by every benchmark, so each measures the same bytes.
struct Input {
  kiln::TempDir dir{"kiln-layer-bench"};
  fs::path file = dir.path() / "app.bin";

  Input() {
    std::vector<fs::path> elves;
    for (const auto& e : fs::directory_iterator("/usr/bin"))
      if (e.is_regular_file() && !e.is_symlink() && is_elf(e.path())) elves.push_back(e.path());
    std::sort(elves.begin(), elves.end());  // same input on every run
    std::ofstream out(file, std::ios::binary);
    std::size_t written = 0;
    std::vector<char> buffer;
    while (written < kInputSize && !elves.empty()) {
      for (const auto& path : elves) {
        std::ifstream in(path, std::ios::binary);
        buffer.assign(std::istreambuf_iterator<char>(in), {});
        const std::size_t take = std::min(buffer.size(), kInputSize - written);
        out.write(buffer.data(), static_cast<std::streamsize>(take));
        written += take;
        if (written == kInputSize) break;
      }
    }
    if (written != kInputSize) throw std::runtime_error("could not gather 50 MiB of ELF files from /usr/bin");
  }
};

const Input& input() {
  static const Input instance;
  return instance;
}

void BM_WriteLayer(benchmark::State& state) {
  const auto kind = static_cast<Compression>(state.range(0));
  const int level = static_cast<int>(state.range(1));
  kiln::oci::LayerEntry main;
  main.path = "usr/local/app/main";
  main.source = input().file;
  const kiln::oci::LayerSpec spec{.entries = {main}, .mtime = 0, .compression = {.kind = kind, .level = level}};
  const fs::path blob = input().dir.path() / "layer.blob";
  std::int64_t blob_size = 0;
  for (auto _ : state) blob_size = kiln::oci::write_layer(spec, blob).size;
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(kInputSize));
  state.counters["blob_MB"] = static_cast<double>(blob_size) / 1e6;
  state.counters["ratio_pct"] = 100.0 * static_cast<double>(blob_size) / static_cast<double>(kInputSize);
  const char* names[] = {"none", "gzip", "zstd"};
  state.SetLabel(std::string(names[state.range(0)]) + (kind == Compression::none ? "" : "-" + std::to_string(level)));
}

BENCHMARK(BM_WriteLayer)
    ->ArgNames({"kind", "level"})
    ->Args({static_cast<int>(Compression::none), 0})
    ->Args({static_cast<int>(Compression::gzip), 1})
    ->Args({static_cast<int>(Compression::gzip), 6})
    ->Args({static_cast<int>(Compression::zstd), 1})
    ->Args({static_cast<int>(Compression::zstd), 3})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
