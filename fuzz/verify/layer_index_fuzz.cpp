// The static driver's merged view of an image's layers (whiteouts, opaque directories,
// hardlinks, symlinks followed for wanted contents), fed tars from memory. Layers come from
// the image under test: a damaged one is a kiln::Error naming the layer, nothing else.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "core/error.h"
#include "layer_input.h"
#include "oci/sha256.h"
#include "verify/driver/layer_index.h"

namespace {

// Blobs held in memory, by digest, as a registry would serve them.
class MemoryBlobs : public kiln::oci::BlobReader {
 public:
  std::vector<kiln::verify::LayerRef> add(const std::vector<std::string>& layers) {
    std::vector<kiln::verify::LayerRef> refs;
    for (const std::string& layer : layers) {
      const kiln::oci::Digest digest = kiln::oci::Sha256::of(layer);
      blobs_.emplace(digest.to_string(), layer);
      refs.push_back({.digest = digest, .size = static_cast<std::int64_t>(layer.size())});
    }
    return refs;
  }
  std::int64_t fetch_to(const kiln::oci::Digest& digest, std::int64_t, std::ostream& out) override {
    const std::string& blob = blobs_.at(digest.to_string());
    out.write(blob.data(), static_cast<std::streamsize>(blob.size()));
    return static_cast<std::int64_t>(blob.size());
  }
  std::string describe() const override { return "fuzz input"; }

 private:
  std::map<std::string, std::string> blobs_;
};

// Paths the seeds use, and what a structure test asks for most.
const char* const kPaths[] = {"", "/", "etc", "etc/passwd", "/etc/group", "bin/sh", "bin", "usr/lib",
                              "lib/libc.so.6", "a", "a/b", "a/b/c", "../x", "link", "link/inner"};

void walk(const kiln::verify::LayerIndex& index, const std::string& dir, int depth, int& budget) {
  if (depth > 8) return;
  for (const std::string& name : index.list(dir)) {
    if (--budget < 0) return;
    const std::string path = dir.empty() || dir == "/" ? name : dir + "/" + name;
    if (auto stat = index.lstat(path); stat && stat->type == kiln::inspect::FileStat::Type::directory)
      walk(index, path, depth + 1, budget);
    else
      index.read_range(path, 1, 16);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto blobs = std::make_shared<MemoryBlobs>();
  auto refs = blobs->add(kiln::fuzz::split_layers(std::string_view(reinterpret_cast<const char*>(data), size)));
  try {
    kiln::verify::LayerIndex index(blobs, std::move(refs));
    index.want("/etc/passwd", 4096);
    index.want("/link/inner", 4096);
    while (index.read_next_layer()) {
    }
    index.recapture();
    for (const char* path : kPaths) {
      index.lstat(path);
      index.read(path, 64);
      index.sha256(path);
    }
    int budget = 256;
    walk(index, "", 0, budget);
  } catch (const kiln::Error&) {
  }
  return 0;
}
