// The OCI layout reader keeps a blob to its descriptor's size as the registry reader does: a
// file longer than declared stops one byte past it with nothing past the size written, a
// shorter one fails, and a descriptor without a usable size is refused before anything is read.
#include "oci/image/blob_reader.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/error.h"
#include "core/temp_dir.h"
#include "oci/image/manifest_edit.h"
#include "oci/sha256.h"

namespace kiln::oci {
namespace {

class LayoutBlobs : public ::testing::Test {
 protected:
  void SetUp() override { std::filesystem::create_directories(dir_.path() / "blobs/sha256"); }
  // Stores `bytes` under `digest` (which need not be theirs).
  void store(const Digest& digest, const std::string& bytes) {
    std::ofstream(dir_.path() / "blobs/sha256" / digest.hex(), std::ios::binary) << bytes;
  }
  std::string fetch(const Digest& digest, std::int64_t size, std::string* error = nullptr) {
    std::ostringstream out;
    try {
      layout_blob_reader(dir_.path().string())->fetch_to(digest, size, out);
    } catch (const Error& e) {
      EXPECT_EQ(e.exit_class(), ExitClass::infra);
      if (error) *error = e.what();
    }
    return out.str();
  }
  TempDir dir_{"kiln-layout-blobs"};
};

}  // namespace

TEST_F(LayoutBlobs, ABlobIsReadToItsDeclaredSizeOnly) {
  const std::string blob(200 * 1024, 'b');
  const Digest digest = Sha256::of(blob);
  store(digest, blob);
  EXPECT_EQ(fetch(digest, static_cast<std::int64_t>(blob.size())), blob);

  std::string error;
  const std::string written = fetch(digest, 1000, &error);
  EXPECT_LE(written.size(), 1000u);
  EXPECT_NE(error.find("longer than the 1000 bytes its descriptor declares"), std::string::npos) << error;

  error.clear();
  fetch(digest, static_cast<std::int64_t>(blob.size()) + 1, &error);
  EXPECT_NE(error.find(fmt::format("has {} bytes, not the {}", blob.size(), blob.size() + 1)), std::string::npos)
      << error;
}

TEST(Descriptor, FromJsonNeedsADigestAndANonNegativeSize) {
  const std::string digest = Sha256::of("x").to_string();
  const Descriptor d = Descriptor::from_json({{"mediaType", "m"}, {"digest", digest}, {"size", 1}}, "test");
  EXPECT_EQ(d, (Descriptor{.media_type = "m", .digest = Sha256::of("x"), .size = 1}));
  for (const Json& bad : {Json{{"digest", digest}}, Json{{"digest", digest}, {"size", -1}},
                          Json{{"digest", digest}, {"size", "12"}}, Json{{"digest", digest}, {"size", 1.5}},
                          Json{{"size", 1}}, Json::array()}) {
    try {
      Descriptor::from_json(bad, "layer of team/app");
      ADD_FAILURE() << bad.dump();
    } catch (const Error& e) {
      EXPECT_EQ(e.exit_class(), ExitClass::infra) << bad.dump();
      EXPECT_NE(std::string(e.what()).find("layer of team/app"), std::string::npos) << e.what();
    }
  }
}

}  // namespace kiln::oci
