// zstd levels 1 and 3 through libarchive's filter, what oci/layer/blob_writer uses for zstd
// layers (threads 2: multi-threaded mode, as the layer writer sets it on 2 cores; threads 0:
// single-threaded, the floor kiln-bench measures). 50 MiB of real machine code in memory; MB/s of input.
// gzip levels 1/6 are kiln-gzip-bench (parallel_gzip_bench.cpp).
#include <benchmark/benchmark.h>

#include <memory>
#include <string>

#include "bench/in_memory_workload.h"
#include "bench/libarchive_compressor.h"

namespace {

constexpr std::size_t kInputSize = 50u << 20;

std::size_t zstd_size(const std::string& data, int level, int threads) {
  std::size_t out = 0;
  // threads 0: zstd's single-threaded mode, the floor's compressor.
  kiln::bench::LibarchiveCompressor compressor("zstd", level, [&](const void*, std::size_t n) { out += n; }, threads);
  for (std::size_t at = 0; at < data.size(); at += kiln::bench::kPieceBytes)
    compressor.write(data.data() + at, std::min(kiln::bench::kPieceBytes, data.size() - at));
  compressor.finish();
  return out;
}

void BM_Zstd(benchmark::State& state) {
  const std::string& data = kiln::bench::real_binary_in_memory(kInputSize);
  const int level = static_cast<int>(state.range(0)), threads = static_cast<int>(state.range(1));
  std::size_t size = 0;
  for (auto _ : state) size = zstd_size(data, level, threads);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(data.size()));
  state.SetLabel("zstd level " + std::to_string(level) + (threads ? ", " + std::to_string(threads) + " worker threads" : ", single-threaded"));
  state.counters["ratio_pct"] = 100.0 * static_cast<double>(size) / static_cast<double>(data.size());
}

BENCHMARK(BM_Zstd)->ArgNames({"level", "threads"})->Args({1, 0})->Args({3, 0})->Args({1, 2})->Args({3, 2})
    ->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
