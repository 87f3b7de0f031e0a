#include "plugin/native/copy_sources.h"

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <fstream>

#include "core/error.h"
#include "core/temp_dir.h"

namespace kiln::plugin {
namespace fs = std::filesystem;
namespace {

class CopySources : public ::testing::Test {
 protected:
  void SetUp() override {
    file("main", "binary", 0755);
    file("config/app.yaml", "a: 1", 0644);
    file("config/extra/b.txt", "b", 0600);
    file("docs/README.md", "readme", 0644);
    fs::create_symlink("app.yaml", dir_.path() / "config/current.yaml");
  }
  void file(const std::string& path, const std::string& content, unsigned mode) {
    fs::create_directories((dir_.path() / path).parent_path());
    std::ofstream(dir_.path() / path) << content;
    fs::permissions(dir_.path() / path, fs::perms(mode));
  }
  // path → "type mode uid:gid" for compact comparisons.
  std::map<std::string, std::string> copy(std::vector<std::string> sources, const std::string& dest,
                                          const CopyOptions& options = {}, const std::string& ignore = "") {
    std::map<std::string, std::string> out;
    for (const auto& e : resolve_copy(dir_.path(), DockerIgnore::parse(ignore), sources, dest, "/srv", options,
                                      "Dockerfile:2")) {
      const char type = e.type == oci::LayerEntry::Type::file ? 'f' : e.type == oci::LayerEntry::Type::directory ? 'd' : 'l';
      out[e.path] = fmt::format("{} {:o} {}:{}{}", type, e.mode, e.uid, e.gid,
                                e.link_target.empty() ? "" : " -> " + e.link_target);
    }
    return out;
  }
  std::string error_of(std::vector<std::string> sources, const std::string& dest) {
    try {
      copy(std::move(sources), dest);
    } catch (const Error& e) {
      return e.what();
    }
    return "no error";
  }
  TempDir dir_{"kiln-copy-test"};
};

}  // namespace

TEST_F(CopySources, FileToFileOrIntoADirectory) {
  EXPECT_EQ(copy({"main"}, "/usr/local/app/main"), (std::map<std::string, std::string>{{"/usr/local/app/main", "f 755 0:0"}}));
  EXPECT_EQ(copy({"main"}, "bin/"), (std::map<std::string, std::string>{{"/srv/bin/main", "f 755 0:0"}}))
      << "relative to WORKDIR, into the directory";
}

TEST_F(CopySources, DirectoryContentsNotTheDirectory) {
  EXPECT_EQ(copy({"config"}, "/etc/app"), (std::map<std::string, std::string>{
                                              {"/etc/app", "d 755 0:0"},
                                              {"/etc/app/app.yaml", "f 644 0:0"},
                                              {"/etc/app/current.yaml", "l 777 0:0 -> app.yaml"},
                                              {"/etc/app/extra", "d 755 0:0"},
                                              {"/etc/app/extra/b.txt", "f 600 0:0"},
                                          }));
}

TEST_F(CopySources, ChownAndChmodApplyToEverything) {
  const auto out = copy({"config/extra"}, "/data", CopyOptions{.chmod = 0640, .uid = 1000, .gid = 100});
  EXPECT_EQ(out, (std::map<std::string, std::string>{{"/data", "d 755 1000:100"}, {"/data/b.txt", "f 640 1000:100"}}))
      << "the destination COPY creates is 0755 (buildah and BuildKit agree), its contents get --chmod";
}

TEST_F(CopySources, GlobsAndDockerignore) {
  EXPECT_EQ(copy({"*/*.yaml", "docs/*.md"}, "/x/", {}, ""),
            (std::map<std::string, std::string>{{"/x/app.yaml", "f 644 0:0"}, {"/x/current.yaml", "f 644 0:0"},
                                                {"/x/README.md", "f 644 0:0"}}));
  EXPECT_EQ(error_of({"*.go"}, "/x/"), "Dockerfile:2: no file in the build context matches '*.go'");
}

TEST_F(CopySources, ErrorsNameTheSource) {
  EXPECT_EQ(error_of({"missing"}, "/x"), "Dockerfile:2: 'missing' not found in the build context");
  EXPECT_EQ(error_of({"../etc/passwd"}, "/x"), "Dockerfile:2: source '../etc/passwd' is outside the build context");
  EXPECT_EQ(error_of({"main", "docs"}, "/x"),
            "Dockerfile:2: with more than one source the destination must be a directory ending in '/'");
  fs::create_symlink("/etc", dir_.path() / "escape");
  EXPECT_EQ(error_of({"escape"}, "/x"), "Dockerfile:2: source 'escape' is outside the build context");
}

}  // namespace kiln::plugin
