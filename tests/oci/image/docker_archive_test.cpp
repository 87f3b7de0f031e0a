#include "oci/image/docker_archive.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "core/error.h"
#include "core/temp_dir.h"
#include "oci/media_type.h"
#include "oci/sha256.h"
#include "tests/support/files.h"
#include "tests/support/tools.h"

namespace kiln::oci {
namespace {
using kiln::testing::read_file;
namespace fs = std::filesystem;
using testing::run_ok;


// What `docker save` writes: uncompressed layer tars under <id>/layer.tar.
class DockerSaveArchive : public ::testing::Test {
 protected:
  void SetUp() override {
    const fs::path root = dir_.path() / "save", files = dir_.path() / "files";
    fs::create_directories(root / "abc");
    fs::create_directories(files / "app");
    std::ofstream(files / "app/hello") << "hello";
    run_ok({"tar", "--numeric-owner", "-C", files.string(), "-cf", (root / "abc/layer.tar").string(), "app"});
    diff_id_ = Sha256::of(read_file(root / "abc/layer.tar")).to_string();
    std::ofstream(root / "cfg.json") << R"({"architecture":"amd64","os":"linux","config":{"Cmd":["/app/hello"]},)"
                                     << R"("rootfs":{"type":"layers","diff_ids":[")" << diff_id_ << R"("]}})";
    std::ofstream(root / "manifest.json") << R"([{"Config":"cfg.json","RepoTags":["app:1"],"Layers":["abc/layer.tar"]}])";
    run_ok({"tar", "-C", root.string(), "-cf", archive().string(), "manifest.json", "cfg.json", "abc/layer.tar"});
  }
  fs::path archive() const { return dir_.path() / "image.tar"; }
  TempDir dir_{"kiln-docker-save"};
  std::string diff_id_;
};

TEST_F(DockerSaveArchive, UncompressedLayersAreGzippedAndTheImageIsValid) {
  const fs::path layout = dir_.path() / "layout";
  auto sink = layout_sink(layout);
  const StoredImage image = read_docker_archive(archive(), *sink);
  EXPECT_EQ(image.top.media_type, media_type::oci_manifest) << "a layout holds OCI manifests";
  const Json manifest = Json::parse(image.top.bytes);
  EXPECT_EQ(manifest["layers"][0]["mediaType"], media_type::oci_layer_gzip);
  EXPECT_NE(manifest["layers"][0]["digest"], diff_id_) << "the blob is the compressed layer";
  // Tagged in the layout, an independent reader accepts every blob and the diff_id.
  sink->put_manifest("x", image.top.media_type, image.top.bytes);
  const Json inspected = Json::parse(run_ok({"skopeo", "inspect", "oci:" + layout.string() + ":x"}));
  EXPECT_EQ(inspected["Layers"][0], manifest["layers"][0]["digest"]);
  run_ok({"skopeo", "copy", "oci:" + layout.string() + ":x", "oci:" + (dir_.path() / "copy").string() + ":y"});
}

TEST_F(DockerSaveArchive, WriteThenReadKeepsTheBlobs) {
  const fs::path layout = dir_.path() / "layout";
  auto sink = layout_sink(layout);
  const StoredImage image = read_docker_archive(archive(), *sink);
  write_docker_archive(layout, image.top, {"registry.example/app:2"}, dir_.path() / "out/again.tar");
  const Json written = Json::parse(run_ok({"tar", "-xOf", (dir_.path() / "out/again.tar").string(), "manifest.json"}));
  EXPECT_EQ(written[0]["RepoTags"], Json::array({"registry.example/app:2"}));
  auto again_sink = layout_sink(dir_.path() / "again");
  EXPECT_EQ(read_docker_archive(dir_.path() / "out/again.tar", *again_sink).top.bytes, image.top.bytes)
      << "same config and compressed layers: the same manifest";
}

TEST_F(DockerSaveArchive, NotAnArchiveIsAClearError) {
  std::ofstream(dir_.path() / "junk.tar") << "not a tar";
  auto sink = layout_sink(dir_.path() / "layout");
  try {
    read_docker_archive(dir_.path() / "junk.tar", *sink);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find((dir_.path() / "junk.tar").string()), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace kiln::oci
