#include "oci/image/manifest_edit.h"

#include <gtest/gtest.h>

#include "oci/media_type.h"
#include "oci/sha256.h"

namespace kiln::oci {
namespace {

Json docker_manifest() {
  return Json::parse(R"({"schemaVersion": 2,
    "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
    "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 7, "digest": ")" +
                     Sha256::of("config").to_string() + R"("},
    "layers": [{"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", "size": 3, "digest": ")" +
                     Sha256::of("l1").to_string() + R"("},
               {"mediaType": "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip", "size": 4,
                "digest": ")" + Sha256::of("l2").to_string() + R"(", "urls": ["https://example.com/l2"]}]})");
}

}  // namespace

TEST(ManifestEdit, ReplacesConfigAndAppendsLayer) {
  const Descriptor config{.media_type = std::string(media_type::docker_config), .digest = Sha256::of("c2"), .size = 11};
  const Descriptor layer{.media_type = std::string(media_type::docker_layer_gzip), .digest = Sha256::of("n"), .size = 5};
  const Json out = with_config_and_layers(docker_manifest(), config, {layer});
  // The base descriptor's key order is kept; the values are the new config's.
  EXPECT_EQ(out["config"]["mediaType"], config.media_type);
  EXPECT_EQ(out["config"]["digest"], config.digest.to_string());
  EXPECT_EQ(out["config"]["size"], 11);
  ASSERT_EQ(out["layers"].size(), 3u);
  EXPECT_EQ(out["layers"][1]["urls"], docker_manifest()["layers"][1]["urls"]) << "base descriptors kept as they were";
  EXPECT_EQ(out["layers"][2], layer.to_json());
}

TEST(ManifestEdit, ConvertsDockerToOciKeepingDigests) {
  const Json out = converted_to_oci(docker_manifest());
  EXPECT_EQ(out["mediaType"], media_type::oci_manifest);
  EXPECT_EQ(out["config"]["mediaType"], media_type::oci_config);
  EXPECT_EQ(out["layers"][0]["mediaType"], media_type::oci_layer_gzip);
  EXPECT_EQ(out["layers"][1]["mediaType"], "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip");
  EXPECT_EQ(out["layers"][0]["digest"], docker_manifest()["layers"][0]["digest"]);
  EXPECT_EQ(out["config"]["digest"], docker_manifest()["config"]["digest"]);
}

TEST(ManifestEdit, TellsVendorFromBodyOrContentType) {
  EXPECT_TRUE(is_docker_manifest(docker_manifest(), ""));
  Json oci = Json::parse(R"({"schemaVersion":2,"config":{}})");
  EXPECT_FALSE(is_docker_manifest(oci, std::string(media_type::oci_manifest)));
  EXPECT_TRUE(is_docker_manifest(oci, std::string(media_type::docker_manifest)));
}

TEST(ManifestEdit, IndexKeepsPlatformsAndAnnotations) {
  const Json base = Json::parse(R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json",
    "manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":")" + Sha256::of("x").to_string() +
                                R"(","size":1,"platform":{"os":"linux","architecture":"arm","variant":"v7"},
      "annotations":{"k":"v"}}],"annotations":{"top":"1"}})");
  const Descriptor child{.media_type = std::string(media_type::oci_manifest), .digest = Sha256::of("y"), .size = 9};
  const Json out = with_children(base, {IndexChild{.base_descriptor = base["manifests"][0], .manifest = child}});
  ASSERT_EQ(out["manifests"].size(), 1u);
  EXPECT_EQ(out["manifests"][0]["digest"], child.digest.to_string());
  EXPECT_EQ(out["manifests"][0]["size"], 9);
  EXPECT_EQ(out["manifests"][0]["platform"]["variant"], "v7");
  EXPECT_EQ(out["manifests"][0]["annotations"]["k"], "v");
  EXPECT_EQ(out["annotations"]["top"], "1");
}

}  // namespace kiln::oci
