#include "oci/image/platform.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace kiln::oci {

TEST(Platform, ParsesAndPrints) {
  EXPECT_EQ(Platform::parse("linux/arm64").to_string(), "linux/arm64");
  EXPECT_EQ(Platform::parse("linux/arm/v7").variant, "v7");
  for (const char* bad : {"linux", "linux/", "/amd64", "a/b/c/d"}) EXPECT_THROW(Platform::parse(bad), Error) << bad;
}

TEST(Platform, SelectsFirstMatchSkippingAttestations) {
  const Json index = Json::parse(R"({"manifests":[
    {"digest":"att","platform":{"os":"unknown","architecture":"unknown"}},
    {"digest":"v6","platform":{"os":"linux","architecture":"arm","variant":"v6"}},
    {"digest":"v7","platform":{"os":"linux","architecture":"arm","variant":"v7"}},
    {"digest":"amd","platform":{"os":"linux","architecture":"amd64"}},
    {"digest":"noplatform"}]})");
  EXPECT_EQ(select_platform(index, Platform::parse("linux/arm/v7"))->at("digest"), "v7");
  EXPECT_EQ(select_platform(index, Platform::parse("linux/arm"))->at("digest"), "v6");
  EXPECT_EQ(select_platform(index, Platform::parse("linux/amd64"))->at("digest"), "amd");
  EXPECT_FALSE(select_platform(index, Platform::parse("linux/s390x")));
  EXPECT_FALSE(select_platform(index, Platform::parse("unknown/unknown")));
}

}  // namespace kiln::oci
