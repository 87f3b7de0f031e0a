// SHA-256 (oci/sha256: OpenSSL EVP, SHA-NI where the CPU has it), the hash of every layer's
// diff_id and digest: 50 MiB of real machine code in memory, fed in the layer writer's pieces.
#include <benchmark/benchmark.h>

#include "bench/in_memory_workload.h"
#include "oci/digest.h"
#include "oci/sha256.h"

namespace {

constexpr std::size_t kInputSize = 50u << 20;

void BM_Sha256(benchmark::State& state) {
  const std::string& data = kiln::bench::real_binary_in_memory(kInputSize);
  const auto piece = static_cast<std::size_t>(state.range(0));
  for (auto _ : state) {
    kiln::oci::Sha256 hash;
    for (std::size_t at = 0; at < data.size(); at += piece) hash.update(data.data() + at, std::min(piece, data.size() - at));
    benchmark::DoNotOptimize(hash.finish());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(data.size()));
}

BENCHMARK(BM_Sha256)->ArgName("piece")->Arg(4096)->Arg(kiln::bench::kPieceBytes)->Arg(1 << 20)
    ->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
