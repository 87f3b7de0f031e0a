// Tar writing alone (libarchive, the pax_restricted format oci/layer writes), in the layer
// writer's 64 KiB blocks, into a sink that only counts: one 50 MiB file as in a binary-on-base
// layer, and 2,000 small files as in a COPY of a source tree. No compression, hash or disk.
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
struct EntryFree {
  void operator()(archive_entry* e) const { archive_entry_free(e); }
};

// Writes `files` regular files that together hold `data`, returns the tar size.
std::size_t write_tar(const std::string& data, std::size_t files) {
  std::size_t out = 0;
  std::unique_ptr<archive, ArchiveFree> a(archive_write_new());
  archive_write_set_format_pax_restricted(a.get());
  // As oci/layer/layer_writer.cpp: 64 KiB blocks to the next stage, the last one unpadded.
  // (Block size 0 would hand the caller's buffers through untouched and measure nothing.)
  archive_write_set_bytes_per_block(a.get(), 64 * 1024);
  archive_write_set_bytes_in_last_block(a.get(), 1);
  archive_write_open(a.get(), &out, nullptr, [](archive*, void* sum, const void*, size_t n) -> la_ssize_t {
    *static_cast<std::size_t*>(sum) += n;
    return static_cast<la_ssize_t>(n);
  }, nullptr);
  const std::size_t each = data.size() / files;
  for (std::size_t i = 0; i < files; ++i) {
    std::unique_ptr<archive_entry, EntryFree> entry(archive_entry_new());
    archive_entry_set_pathname(entry.get(), ("app/file-" + std::to_string(i)).c_str());
    archive_entry_set_filetype(entry.get(), AE_IFREG);
    archive_entry_set_perm(entry.get(), 0644);
    archive_entry_set_size(entry.get(), static_cast<la_int64_t>(each));
    archive_write_header(a.get(), entry.get());
    const char* start = data.data() + i * each;
    for (std::size_t at = 0; at < each; at += kiln::bench::kPieceBytes)
      archive_write_data(a.get(), start + at, std::min(kiln::bench::kPieceBytes, each - at));
  }
  archive_write_close(a.get());
  return out;
}

void BM_TarWrite(benchmark::State& state) {
  const std::string& data = kiln::bench::real_binary_in_memory(kInputSize);
  const auto files = static_cast<std::size_t>(state.range(0));
  std::size_t tar_size = 0;
  for (auto _ : state) tar_size = write_tar(data, files);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(data.size()));
  state.counters["tar_MB"] = static_cast<double>(tar_size) / 1e6;
}

BENCHMARK(BM_TarWrite)->ArgName("files")->Arg(1)->Arg(2000)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
