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

// A hostile archive: manifest.json pointing at the host's files, and archives that unpack to
// far more than they weigh.
class HostileDockerArchive : public DockerSaveArchive {
 protected:
  // The valid archive's files with manifest.json replaced.
  fs::path with_manifest(const std::string& manifest) {
    const fs::path root = dir_.path() / "save";
    std::ofstream(root / "manifest.json") << manifest;
    const fs::path out = dir_.path() / "hostile.tar";
    run_ok({"tar", "-C", root.string(), "-cf", out.string(), "manifest.json", "cfg.json", "abc/layer.tar"});
    return out;
  }
  std::string error_reading(const fs::path& tar, const DockerArchiveLimits& limits = {}) {
    auto sink = layout_sink(dir_.path() / "layout");
    try {
      read_docker_archive(tar, *sink, limits);
    } catch (const Error& e) {
      EXPECT_EQ(e.exit_class(), ExitClass::usage) << e.what();
      return e.what();
    }
    ADD_FAILURE() << "no error for " << tar;
    return "";
  }
};

TEST_F(HostileDockerArchive, ManifestCannotNameAHostFile) {
  const fs::path host_file = dir_.path() / "host-secret.json";
  std::ofstream(host_file) << R"({"rootfs":{"diff_ids":[]}})";
  for (const std::string config : std::vector<std::string>{host_file.string(), "../host-secret.json", "abc/../../host-secret.json"}) {
    const std::string error =
        error_reading(with_manifest(R"([{"Config":")" + config + R"(","RepoTags":[],"Layers":[]}])"));
    EXPECT_NE(error.find("not a file inside the archive"), std::string::npos) << config << ": " << error;
  }
  const std::string layer = error_reading(with_manifest(R"([{"Config":"cfg.json","Layers":["/etc/hostname"]}])"));
  EXPECT_NE(layer.find("/etc/hostname"), std::string::npos) << layer;
  const std::string missing = error_reading(with_manifest(R"([{"Config":"cfg.json","Layers":["abc/none.tar"]}])"));
  EXPECT_NE(missing.find("does not hold"), std::string::npos) << missing;
}

TEST_F(HostileDockerArchive, ACompressedBombStopsAtTheByteLimit) {
  const fs::path files = dir_.path() / "bomb";
  fs::create_directories(files);
  run_ok({"truncate", "-s", "64M", (files / "zeros").string()});
  const fs::path bomb = dir_.path() / "bomb.tar.gz";
  run_ok({"tar", "-C", files.string(), "-czf", bomb.string(), "zeros"});
  ASSERT_LT(fs::file_size(bomb), 1u << 20);
  const std::string error = error_reading(bomb, {.max_bytes = 8 << 20});
  EXPECT_NE(error.find("more than 8388608 bytes"), std::string::npos) << error;
  EXPECT_NE(error.find(bomb.string()), std::string::npos) << error;
}

TEST_F(HostileDockerArchive, TooManyEntriesStop) {
  const fs::path files = dir_.path() / "many";
  fs::create_directories(files);
  std::vector<std::string> argv{"tar", "-C", files.string(), "-cf", (dir_.path() / "many.tar").string()};
  for (int i = 0; i < 40; ++i) {
    std::ofstream(files / std::to_string(i)) << i;
    argv.push_back(std::to_string(i));
  }
  run_ok(argv);
  const std::string error = error_reading(dir_.path() / "many.tar", {.max_entries = 16});
  EXPECT_NE(error.find("more than 16 entries"), std::string::npos) << error;
}

}  // namespace
}  // namespace kiln::oci
