// Tar bombs read by the static driver's LayerIndex, on layers built here: too many entries, a
// gzip bomb (a small blob that inflates to far more than the limit) and a header that declares
// an enormous size with almost no data behind it. Each stops at the limit with an error naming
// the layer and the entry, on the entry's header, before its data is decompressed.
#include <gtest/gtest.h>

#include <chrono>

#include "core/error.h"
#include "core/temp_dir.h"
#include "oci/image/blob_reader.h"
#include "tests/verify/driver/test_layers.h"
#include "verify/driver/layer_index.h"

namespace kiln::verify {
namespace {

using namespace kiln::verify::testing;
using Clock = std::chrono::steady_clock;

// Reads every layer; the error's message, or "" when the index read them all.
std::string read_all(LayoutDir& layout, std::vector<LayerRef> layers, IndexLimits limits) {
  LayerIndex index(oci::layout_blob_reader(layout.path()), std::move(layers), limits);
  index.want("/bomb", 1 << 20);
  try {
    while (index.read_next_layer()) {
    }
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_class(), ExitClass::infra);
    return e.what();
  }
  return "";
}

TEST(LayerIndexLimits, ALayerWithTooManyEntriesStopsAtTheEntryLimit) {
  TempDir tmp("kiln-index-limits");
  LayoutDir layout(tmp.path());
  std::vector<TarEntry> entries;
  for (int i = 0; i < 500; ++i) entries.push_back(file("f" + std::to_string(i), ""));
  const LayerRef layer = layout.add(write_tar(entries));
  const std::string error = read_all(layout, {layer}, {.max_bytes = 1 << 20, .max_entries = 100});
  EXPECT_NE(error.find("entry \"f100\" is past the limit of 100 entries"), std::string::npos) << error;
  EXPECT_NE(error.find(layer.digest.to_string()), std::string::npos) << "names the layer: " << error;
  EXPECT_EQ(read_all(layout, {layer}, {.max_bytes = 1 << 20, .max_entries = 500}), "") << "500 entries are allowed";
}

// The entry count runs over all layers together, as an image spread over many layers would.
TEST(LayerIndexLimits, TheEntryLimitCountsEveryLayer) {
  TempDir tmp("kiln-index-limits");
  LayoutDir layout(tmp.path());
  std::vector<TarEntry> entries;
  for (int i = 0; i < 60; ++i) entries.push_back(file("f" + std::to_string(i), ""));
  const LayerRef a = layout.add(write_tar(entries));
  entries.push_back(file("g", ""));
  const LayerRef b = layout.add(write_tar(entries));
  const std::string error = read_all(layout, {a, b}, {.max_bytes = 1 << 20, .max_entries = 100});
  EXPECT_NE(error.find("past the limit of 100 entries"), std::string::npos) << error;
  EXPECT_NE(error.find(a.digest.to_string()), std::string::npos) << "the lower layer, read second: " << error;
}

// 64 MiB of zeros gzip to some 64 KiB: refused on its header against a 16 MiB limit, fast.
TEST(LayerIndexLimits, AGzipBombStopsAtTheSizeLimitBeforeItIsInflated) {
  TempDir tmp("kiln-index-limits");
  LayoutDir layout(tmp.path());
  const LayerRef layer = layout.add(write_tar({file("small", "s"), file("bomb", std::string(64u << 20, '\0'))}));
  ASSERT_LT(layer.size, 1 << 20) << "not a bomb: the blob is not small";
  const auto start = Clock::now();
  const std::string error = read_all(layout, {layer}, {.max_bytes = 16u << 20, .max_entries = 100});
  EXPECT_NE(error.find("entry \"bomb\" declares 67108864 bytes, which takes the image past the limit of 16777216 bytes"),
            std::string::npos)
      << error;
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(2)) << "the bomb was inflated";
  EXPECT_EQ(read_all(layout, {layer}, {.max_bytes = 128u << 20, .max_entries = 100}), "") << "under the limit it reads";
}

// A header that claims 8 GiB with one byte of data: stopped at the header by the default
// limit's smaller cousin, not by the tar reader running into the end of the blob.
TEST(LayerIndexLimits, AHeaderDeclaringAnEnormousSizeIsRefusedOnTheHeader) {
  TempDir tmp("kiln-index-limits");
  LayoutDir layout(tmp.path());
  const std::uint64_t declared = 077777777777ull;  // the largest an 11-digit octal field holds
  const LayerRef layer = layout.add(tar_declaring("bomb", declared));
  const std::string error = read_all(layout, {layer}, {.max_bytes = 1ull << 30, .max_entries = 100});
  EXPECT_NE(error.find("entry \"bomb\" declares " + std::to_string(declared) + " bytes"), std::string::npos) << error;
  EXPECT_NE(error.find("limit of 1073741824 bytes"), std::string::npos) << error;
}

}  // namespace
}  // namespace kiln::verify
