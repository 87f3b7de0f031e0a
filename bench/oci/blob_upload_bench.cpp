// A blob upload (oci/registry/client: POST a session, PUT the body with ?digest=) to a real
// docker-registry on 127.0.0.1 (fixtures/local_registry.h), from memory: what moving a layer
// to the registry costs once it is compressed. Each iteration uploads to a new repository,
// so the registry never answers "already there". MB/s are of blob bytes sent.
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <istream>
#include <streambuf>

#include "bench/in_memory_workload.h"
#include "fixtures/local_registry.h"
#include "oci/sha256.h"

namespace {

// Reads the blob where it lies: an istringstream would copy it on every open.
class MemoryStream : public std::istream {
 public:
  explicit MemoryStream(const std::string& bytes) : std::istream(&buffer_), buffer_(bytes) {}

 private:
  struct Buffer : std::streambuf {
    explicit Buffer(const std::string& bytes) {
      char* begin = const_cast<char*>(bytes.data());  // get area only: never written through
      setg(begin, begin, begin + bytes.size());
    }
  } buffer_;
};

void BM_BlobUpload(benchmark::State& state) {
  const std::string& blob = kiln::bench::real_binary_in_memory(static_cast<std::size_t>(state.range(0)) << 20);
  const kiln::oci::Digest digest = kiln::oci::Sha256::of(blob);
  kiln::fixtures::LocalRegistry registry;
  const auto client = registry.client();
  const kiln::oci::BlobSource source{.size = static_cast<std::int64_t>(blob.size()), .open = [&] {
    return std::make_unique<MemoryStream>(blob);
  }};
  int repository = 0;
  for (auto _ : state) client->upload_blob(fmt::format("bench/upload-{}", repository++), digest, source);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(blob.size()));
}

BENCHMARK(BM_BlobUpload)->ArgName("MiB")->Arg(1)->Arg(20)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
