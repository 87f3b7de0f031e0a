#include "plugin/backend/native/image_output.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "core/error.h"
#include "core/temp_dir.h"
#include "oci/image/docker_archive.h"
#include "oci/image/image_copy.h"
#include "oci/image/manifest_edit.h"
#include "oci/media_type.h"
#include "tests/support/files.h"

namespace kiln::plugin {
namespace {
using kiln::testing::read_file;
namespace fs = std::filesystem;
using oci::Json;


oci::RegistryClient& no_registry(const std::string& registry) {
  throw std::logic_error("a dry run must not reach registry " + registry);
}

// A one-layer image stored through the sink, the way the native build stores one.
oci::StoredImage store_small_image(oci::ImageSink& sink, const fs::path& scratch) {
  const oci::PushedLayer layer = sink.put_layer(
      oci::LayerSpec{.entries = {{.type = oci::LayerEntry::Type::file, .path = "app/main", .mode = 0755,
                                  .source = {}, .content = "hello", .link_target = {}}}},
      scratch / "layer", nullptr);
  const Json config = {{"architecture", "amd64"}, {"os", "linux"}, {"config", {{"Entrypoint", {"/app/main"}}}},
                       {"rootfs", {{"type", "layers"}, {"diff_ids", {layer.diff_id.to_string()}}}}};
  const oci::Descriptor config_descriptor = sink.put_blob_bytes(oci::dump_json(config), std::string(oci::media_type::oci_config));
  const Json manifest = {{"schemaVersion", 2}, {"mediaType", oci::media_type::oci_manifest},
                         {"config", config_descriptor.to_json()},
                         {"layers", {oci::Descriptor{.media_type = std::string(oci::media_type::oci_layer_gzip),
                                                     .digest = layer.digest, .size = layer.size}.to_json()}}};
  return {.top = {.media_type = std::string(oci::media_type::oci_manifest), .bytes = oci::dump_json(manifest)},
          .children = {}};
}

TEST(ImageOutput, DryRunWritesLayoutAndTarballAndTouchesNoRegistry) {
  TempDir dir("kiln-output-test");
  ImageOutput output({.destinations = {oci::Reference::parse("127.0.0.1:5000/team/app:1.0"),
                                       oci::Reference::parse("127.0.0.1:5000/team/app:1")},
                      .push = false,
                      .oci_layout_path = dir.path() / "layout",
                      .tar_path = dir.path() / "out/image.tar"},
                     no_registry);
  const oci::StoredImage image = store_small_image(output.sink(), dir.path());
  const BuildResult result = output.publish(image);
  EXPECT_TRUE(result.pushed.empty());

  // index.json names the image once per tag.
  const Json index = Json::parse(read_file(dir.path() / "layout/index.json"));
  ASSERT_EQ(index["manifests"].size(), 2u);
  EXPECT_EQ(index["manifests"][0]["annotations"]["org.opencontainers.image.ref.name"], "1.0");
  EXPECT_EQ(index["manifests"][0]["digest"], result.digest.to_string());
  EXPECT_EQ(read_file(dir.path() / "layout/oci-layout"), R"({"imageLayoutVersion":"1.0.0"})");
  EXPECT_EQ(oci::read_layout_stored_image(dir.path() / "layout", "1").top.bytes, image.top.bytes);

  // The tarball reads back into the same layer and config blobs.
  TempDir back("kiln-output-back");
  auto sink = oci::layout_sink(back.path());
  const oci::StoredImage read_back = oci::read_docker_archive(dir.path() / "out/image.tar", *sink);
  const Json original = Json::parse(image.top.bytes), copy = Json::parse(read_back.top.bytes);
  EXPECT_EQ(copy["layers"][0]["digest"], original["layers"][0]["digest"]) << "layers travel compressed, unchanged";
  EXPECT_EQ(copy["config"]["digest"], original["config"]["digest"]);
  EXPECT_EQ(read_back.top.media_type, oci::media_type::oci_manifest) << "read into a layout: OCI";
}

TEST(ImageOutput, NeedsADestination) {
  const ImageOutputs nothing{.destinations = {}, .push = true, .oci_layout_path = {}, .tar_path = {}};
  EXPECT_THROW(ImageOutput(nothing, no_registry), Error);
}

}  // namespace
}  // namespace kiln::plugin
