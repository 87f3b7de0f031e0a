#include "verify/driver/static/static_driver.h"

#include <algorithm>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "core/error.h"
#include "inspect/gather.h"

namespace kiln::verify {
namespace {

constexpr const char* kNoCommands =
    "the static driver reads the image's layers and cannot run commands; use --driver local or kubernetes";
// ELF facts read program headers, the dynamic section and its strings wherever they lie in
// the file: keep a binary whole (up to this) when its layer streams by.
constexpr std::uint64_t kElfBytes = 512ull * 1024 * 1024;

}  // namespace

LayerIndex index_for_request(const ImageUnderTest& image, const inspect::FactRequest& request) {
  LayerIndex index(image.blobs, layers_of(image.image.manifest));
  for (const inspect::PathQuery& query : request.paths) {
    std::uint64_t bytes = 0;
    if (query.contents) bytes = std::max(bytes, request.max_content_bytes + 1);  // +1: gather's truncation probe
    if (query.elf) bytes = std::max(bytes, kElfBytes);
    if (query.contents || query.sha256 || query.elf) index.want(query.path, bytes);
  }
  // gather_facts is the one judge of what is needed: it runs against what has been read so
  // far, and every answer lower layers could still change sends us one layer further down.
  // Each round reads a layer or re-reads the few holding late-discovered contents.
  const std::size_t rounds = 2 * index.layer_count() + 8;
  for (std::size_t round = 0; round < rounds; ++round) {
    index.clear_misses();
    (void)inspect::gather_facts(request, index, nullptr, kNoCommands);
    const LayerIndex::Misses misses = index.misses();
    if (!misses.any()) return index;
    if (misses.headers && index.read_next_layer()) continue;
    if (misses.contents && index.recapture() > 0) continue;
    break;
  }
  throw_infra(fmt::format("the static driver could not settle what {} holds after reading {} layers; "
                          "this is a bug in kiln",
                          image.pinned, index.reads().size()));
}

inspect::Facts StaticDriver::collect(const ImageUnderTest& image, const inspect::FactRequest& request,
                                     const CommandContainer& /*container*/) {
  LayerIndex index = index_for_request(image, request);
  last_reads_ = index.reads();
  // What verification cost, for a person reading the log and for kiln-verify-bench.
  std::uint64_t bytes = 0;
  std::size_t again = 0;
  for (const auto& read : last_reads_) bytes += read.bytes, again += read.again ? 1 : 0;
  spdlog::info("static driver: read {} bytes in {} layer read(s) of {} layer(s), {} re-read(s)", bytes,
               last_reads_.size(), image.image.manifest.value("layers", oci::Json::array()).size(), again);
  return inspect::gather_facts(request, index, nullptr, kNoCommands);
}

}  // namespace kiln::verify
