// gzip throughput on 50 MiB of real machine code held in memory (no disk in the loop):
// kiln's ParallelGzip at 1 and 2 threads (and all cores) against libarchive's single-threaded
// gzip filter, which is what kiln used before and what the floor in kiln-native-bench is.
// MB/s are of uncompressed input. `cpu_s` is the CPU time of every thread of the process per
// iteration (getrusage), so a loaded machine's lost wall time shows as cpu_s << Time.
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <fstream>
#include <memory>
#include <string>
#include <thread>

#include "bench/libarchive_compressor.h"
#include "bench/workload.h"
#include "core/temp_dir.h"
#include "oci/layer/parallel_gzip.h"

namespace {

constexpr std::size_t kInputSize = 50u << 20;

const std::string& input() {
  static const std::string bytes = [] {
    kiln::TempDir dir("kiln-gzip-bench");
    const auto file = dir.path() / "app.bin";
    kiln::bench::write_real_binary_bytes(file, kInputSize, 0);
    std::ifstream in(file, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }();
  return bytes;
}

constexpr std::size_t kPiece = 64 * 1024;  // what the tar stage hands the compressor

double self_cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

void report(benchmark::State& state, std::size_t out_size, double cpu_start) {
  const double cpu = self_cpu_seconds() - cpu_start;
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(input().size()));
  state.counters["ratio_pct"] = 100.0 * static_cast<double>(out_size) / static_cast<double>(input().size());
  state.counters["cpu_s"] = cpu / static_cast<double>(state.iterations());
}

void BM_ParallelGzip(benchmark::State& state) {
  const auto threads = static_cast<unsigned>(state.range(0));
  const int level = static_cast<int>(state.range(1));
  const std::string& data = input();
  std::size_t out_size = 0;
  const double cpu_start = self_cpu_seconds();
  for (auto _ : state) {
    out_size = 0;
    kiln::oci::ParallelGzip gz({.level = level, .threads = threads},
                               [&](const void*, std::size_t n) { out_size += n; });
    for (std::size_t at = 0; at < data.size(); at += kPiece) gz.write(data.data() + at, std::min(kPiece, data.size() - at));
    gz.finish();
  }
  report(state, out_size, cpu_start);
  state.SetLabel("kiln parallel, " + std::to_string(threads ? threads : std::thread::hardware_concurrency()) +
                 " thread(s), level " + std::to_string(level));
}

void BM_LibarchiveGzip(benchmark::State& state) {
  const int level = static_cast<int>(state.range(0));
  const std::string& data = input();
  std::size_t out_size = 0;
  const double cpu_start = self_cpu_seconds();
  for (auto _ : state) {
    out_size = 0;
    kiln::bench::LibarchiveCompressor compressor("gzip", level, [&](const void*, std::size_t n) { out_size += n; });
    for (std::size_t at = 0; at < data.size(); at += kPiece) compressor.write(data.data() + at, std::min(kPiece, data.size() - at));
    compressor.finish();
  }
  report(state, out_size, cpu_start);
  state.SetLabel("libarchive, 1 thread, level " + std::to_string(level));
}

BENCHMARK(BM_LibarchiveGzip)->ArgName("level")->Arg(1)->Arg(6)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_ParallelGzip)
    ->ArgNames({"threads", "level"})
    ->Args({1, 1})
    ->Args({2, 1})
    ->Args({0, 1})
    ->Args({2, 6})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
