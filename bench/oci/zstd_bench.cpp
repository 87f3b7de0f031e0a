// zstd levels 1 and 3 through libarchive's filter, what oci/layer/blob_writer uses for zstd
// layers (threads 2: multi-threaded mode, as the layer writer sets it on 2 cores; threads 0:
// single-threaded, the floor kiln-bench measures). 50 MiB of real machine code in memory; MB/s of input.
// gzip levels 1/6 are kiln-gzip-bench (parallel_gzip_bench.cpp).
#include <archive.h>
#include <archive_entry.h>
#include <benchmark/benchmark.h>

#include <memory>
#include <string>

#include "bench/in_memory_workload.h"

namespace {

constexpr std::size_t kInputSize = 50u << 20;

struct ArchiveFree {
  void operator()(archive* a) const { archive_write_free(a); }
};

std::size_t zstd_size(const std::string& data, int level, int threads) {
  std::size_t out = 0;
  std::unique_ptr<archive, ArchiveFree> a(archive_write_new());
  archive_write_set_format_raw(a.get());
  archive_write_add_filter_zstd(a.get());
  // threads 0 leaves libarchive's default: zstd's single-threaded mode, the floor's compressor.
  std::string options = "zstd:compression-level=" + std::to_string(level);
  if (threads > 0) options += ",zstd:threads=" + std::to_string(threads);
  if (archive_write_set_options(a.get(), options.c_str()) != ARCHIVE_OK)
    throw std::runtime_error(std::string("libarchive zstd options: ") + archive_error_string(a.get()));
  archive_write_set_bytes_per_block(a.get(), 0);
  archive_write_open(a.get(), &out, nullptr, [](archive*, void* sum, const void*, size_t n) -> la_ssize_t {
    *static_cast<std::size_t*>(sum) += n;
    return static_cast<la_ssize_t>(n);
  }, nullptr);
  std::unique_ptr<archive_entry, decltype(&archive_entry_free)> entry(archive_entry_new(), archive_entry_free);
  archive_entry_set_filetype(entry.get(), AE_IFREG);
  archive_entry_set_pathname(entry.get(), "layer.tar");
  archive_write_header(a.get(), entry.get());
  for (std::size_t at = 0; at < data.size(); at += kiln::bench::kPieceBytes)
    archive_write_data(a.get(), data.data() + at, std::min(kiln::bench::kPieceBytes, data.size() - at));
  archive_write_close(a.get());
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
