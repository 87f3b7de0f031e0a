#include "oci/digest.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "oci/sha256.h"

namespace kiln::oci {

TEST(Digest, RoundTrips) {
  const std::string text = "sha256:" + std::string(64, '0');
  EXPECT_EQ(Digest::parse(text).to_string(), text);
}

TEST(Digest, RejectsMalformed) {
  for (std::string_view bad : {"sha256:", "sha256:abc", "md5:00", "SHA256:ab", "abc",
                               "sha256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"})
    EXPECT_THROW(Digest::parse(bad), kiln::Error) << bad;
}

// Known vectors (FIPS 180-2), fed in pieces to exercise the streaming path.
TEST(Sha256, MatchesKnownVectors) {
  EXPECT_EQ(Sha256::of("").to_string(), "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  Sha256 h;
  h.update("a");
  h.update("bc");
  EXPECT_EQ(h.finish().to_string(), "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace kiln::oci
