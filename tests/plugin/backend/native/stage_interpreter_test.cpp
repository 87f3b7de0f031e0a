#include "plugin/backend/native/stage_interpreter.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "core/temp_dir.h"

namespace kiln::plugin {
namespace {
namespace fs = std::filesystem;

class StageInterpreterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(dir_.path() / "site/css");
    std::ofstream(dir_.path() / "main") << "m";
    std::ofstream(dir_.path() / "site/index.html") << "i";
    std::ofstream(dir_.path() / "site/css/a.css") << "c";
  }
  ImageRecipe run(const std::string& text) {
    const Dockerfile df = parse_dockerfile(text, "Dockerfile");
    return interpret(df, BuildInputs{.context = dir_.path(), .ignore = {}, .build_args = {}, .target = {}}, BaseLookup{});
  }
  // path → "uid:gid mode" of the last layer's entries.
  static std::map<std::string, std::string> last_layer(const ImageRecipe& r) {
    std::map<std::string, std::string> out;
    for (const auto& e : r.layers.back().spec.entries)
      out[e.path] = std::to_string(e.uid) + ":" + std::to_string(e.gid) + " " + std::to_string(e.mode);
    return out;
  }
  TempDir dir_{"kiln-interpreter"};
};

TEST_F(StageInterpreterTest, CopyFromAScratchStageTakesItsFilesAndOwners) {
  const ImageRecipe r = run("FROM scratch AS build\nCOPY --chown=7:8 main /bin/app\nCOPY site/ /out/\n"
                            "FROM scratch\nCOPY --from=build /bin/app /usr/bin/\nCOPY --from=0 /out /www\n");
  ASSERT_EQ(r.layers.size(), 2u);
  EXPECT_FALSE(r.base);
  const auto first = r.layers.front().spec.entries;
  ASSERT_FALSE(first.empty());
  EXPECT_EQ(first.back().path, "usr/bin/app");
  EXPECT_EQ(first.back().uid, 7u) << "COPY --from keeps the source's owner";
  EXPECT_EQ(first.back().source, dir_.path() / "main");
  const auto www = last_layer(r);
  EXPECT_TRUE(www.count("www/index.html")) << "a directory's contents are copied";
  EXPECT_TRUE(www.count("www/css/a.css"));
  EXPECT_FALSE(www.count("www/out"));
}

TEST_F(StageInterpreterTest, CopyFromWithChownChmodAndGlob) {
  const ImageRecipe r = run("FROM scratch AS build\nCOPY site/ /out/\n"
                            "FROM scratch\nCOPY --from=build --chown=1:2 --chmod=0600 /out/*.html /doc/\n");
  const auto doc = last_layer(r);
  EXPECT_EQ(doc.at("doc/index.html"), "1:2 384");
  EXPECT_FALSE(doc.count("doc/css"));
}

TEST_F(StageInterpreterTest, CopyFromErrorsNameTheLine) {
  try {
    run("FROM scratch AS build\nCOPY main /m\nFROM scratch\nCOPY --from=build /nope /x\n");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "Dockerfile:4: '/nope' not found in stage 'build'");
  }
  try {
    run("FROM scratch\nCOPY --chown=app main /m\n");
  } catch (const Error&) {
    FAIL() << "planning only (no base lookup): a name is resolved when the build reads the image";
  }
}

TEST_F(StageInterpreterTest, NativeHandlesCopyFromAndChownNames) {
  const Dockerfile df = parse_dockerfile("FROM busybox AS b\nFROM scratch\nCOPY --from=b --chown=app /bin/sh /sh\n",
                                         "Dockerfile");
  EXPECT_EQ(native_unsupported(df, BuildInputs{.context = dir_.path(), .ignore = {}, .build_args = {}, .target = {}}),
            std::nullopt);
}

// A base image whose only known fact is its Env.
BaseLookup base_with_path() {
  static const oci::FilesystemView empty;
  return {.env = [](const oci::Reference&) { return std::vector<std::string>{"PATH=/usr/bin:/bin", "HOME=/root"}; },
          .tree = [](const oci::Reference&) -> const oci::FilesystemView& { return empty; },
          .files = [](const oci::Reference&, const std::vector<std::string>&) { return std::vector<oci::LayerEntry>{}; }};
}

TEST_F(StageInterpreterTest, EnvInAStageOnAnEarlierStageSeesTheBaseImagesEnv) {
  const Dockerfile df = parse_dockerfile("FROM busybox AS one\nENV A=1\nFROM one AS two\nENV PATH=/x:$PATH B=$A-$HOME\n"
                                         "FROM two\nENV PATH=/y:$PATH\n",
                                         "Dockerfile");
  const ImageRecipe r = interpret(df, BuildInputs{.context = dir_.path(), .ignore = {}, .build_args = {}, .target = {}},
                                  base_with_path());
  EXPECT_EQ(r.config.at("Env"), oci::Json({"A=1", "PATH=/y:/x:/usr/bin:/bin", "B=1-/root"}));
}

TEST_F(StageInterpreterTest, AddUnpacksALocalTarWhateverItsName) {
  fs::create_directories(dir_.path() / "tree/d");
  std::ofstream(dir_.path() / "tree/d/f") << "f";
  ASSERT_EQ(std::system(("tar --owner=5 --group=6 -C " + (dir_.path() / "tree").string() + " -czf " +
                         (dir_.path() / "bundle.bin").string() + " d")
                            .c_str()),
            0);
  const TempDir scratch("kiln-interpreter-scratch");
  const Dockerfile df = parse_dockerfile("FROM scratch\nWORKDIR /srv\nADD bundle.bin main out/\n", "Dockerfile");
  BuildInputs inputs{.context = dir_.path(), .ignore = {}, .build_args = {}, .target = {}, .scratch = scratch.path()};
  const auto layer = last_layer(interpret(df, inputs, BaseLookup{}));
  EXPECT_EQ(layer.at("srv/out"), "0:0 493") << "the destination, made like any directory";
  EXPECT_EQ(layer.at("srv/out/d"), "5:6 493");
  EXPECT_EQ(layer.at("srv/out/d/f"), "5:6 420");
  EXPECT_EQ(layer.at("srv/out/main"), "0:0 420") << "a file that is not an archive is copied";
  EXPECT_FALSE(layer.count("srv/out/bundle.bin"));
  EXPECT_EQ(native_unsupported(df, BuildInputs{.context = dir_.path(), .ignore = {}, .build_args = {}, .target = {}}),
            std::nullopt);
}

// Docker copies and unpacks the sources in order; a missing destination is made by the first:
// --chown's owner for a copied file, root for an archive (--chown does not reach its entries).
TEST_F(StageInterpreterTest, AddKeepsTheOrderOfCopiesAndArchives) {
  fs::create_directories(dir_.path() / "tree/d");
  std::ofstream(dir_.path() / "tree/d/f") << "f";
  ASSERT_EQ(std::system(("tar -C " + (dir_.path() / "tree").string() + " -cf " + (dir_.path() / "d.tar").string() +
                         " --owner=5 --group=6 d")
                            .c_str()),
            0);
  const TempDir scratch("kiln-interpreter-scratch");
  BuildInputs inputs{.context = dir_.path(), .ignore = {}, .build_args = {}, .target = {}, .scratch = scratch.path()};
  const auto first_copy = last_layer(
      interpret(parse_dockerfile("FROM scratch\nADD --chown=7:8 main d.tar /new/\n", "Dockerfile"), inputs, {}));
  EXPECT_EQ(first_copy.at("new"), "7:8 493");
  EXPECT_EQ(first_copy.at("new/main"), "7:8 420");
  EXPECT_EQ(first_copy.at("new/d/f"), "5:6 420");
  const auto first_archive = last_layer(
      interpret(parse_dockerfile("FROM scratch\nADD --chown=7:8 d.tar main /new/\n", "Dockerfile"), inputs, {}));
  EXPECT_EQ(first_archive.at("new"), "0:0 493");
  EXPECT_EQ(first_archive.at("new/main"), "7:8 420");
}

TEST_F(StageInterpreterTest, AddOfAUrlStaysWithKaniko) {
  const Dockerfile df = parse_dockerfile("FROM scratch\nADD https://example.com/a.tar.gz /opt/\n", "Dockerfile");
  EXPECT_EQ(native_unsupported(df, BuildInputs{.context = dir_.path(), .ignore = {}, .build_args = {}, .target = {}}),
            "Dockerfile:2: ADD of a URL");
}

TEST_F(StageInterpreterTest, CopyFlagsTheNativeBackendLacksGoToKaniko) {
  const BuildInputs inputs{.context = dir_.path(), .ignore = {}, .build_args = {}, .target = {}};
  for (const auto& [line, reason] : std::vector<std::pair<std::string, std::string>>{
           {"COPY --exclude=*.css site /www/", "Dockerfile:2: COPY --exclude"},
           {"COPY --parents site/css /www/", "Dockerfile:2: COPY --parents"},
           {"ADD --checksum=sha256:0000 main /m", "Dockerfile:2: ADD --checksum"}})
    EXPECT_EQ(native_unsupported(parse_dockerfile("FROM scratch\n" + line + "\n", "Dockerfile"), inputs), reason);
  EXPECT_EQ(native_unsupported(parse_dockerfile("FROM scratch\nCOPY --link main /m\n", "Dockerfile"), inputs),
            std::nullopt);
}

}  // namespace
}  // namespace kiln::plugin
