#include "plugin/backend/native/copy_sources.h"

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

// .dockerignore cannot be bypassed through a symbolic link: Docker never sends what it
// excludes, so a link to it leads nowhere in the builder and the COPY fails. kiln reads the
// context in place and refuses the same, naming the path and the rule.
class IgnoredThroughLinks : public CopySources {
 protected:
  void SetUp() override {
    CopySources::SetUp();
    file("ignored/secret.key", "s3cret", 0600);
    file("secret.txt", "s3cret", 0600);
    file("mixed/public.txt", "p", 0644);
    file("mixed/private.txt", "s3cret", 0600);
    fs::create_symlink("ignored", dir_.path() / "alias");
    fs::create_symlink("secret.txt", dir_.path() / "link.txt");
    fs::create_symlink("link.txt", dir_.path() / "chain.txt");  // chain.txt -> link.txt -> secret.txt
    fs::create_symlink("mixed", dir_.path() / "to-mixed");
    fs::create_symlink("config", dir_.path() / "to-config");
    fs::create_symlink("loop-b", dir_.path() / "loop-a");
    fs::create_symlink("loop-a", dir_.path() / "loop-b");
  }
  static constexpr const char* kIgnore = "ignored\nsecret.txt\nmixed/private.txt\n";
  std::string error_of(std::vector<std::string> sources, const std::string& dest,
                       const std::string& ignore = kIgnore) {
    try {
      copy(std::move(sources), dest, {}, ignore);
    } catch (const Error& e) {
      return e.what();
    }
    return "no error";
  }
};

TEST_F(IgnoredThroughLinks, ALinkToAnIgnoredDirectory) {
  EXPECT_EQ(error_of({"alias"}, "/s/"),
            "Dockerfile:2: source 'alias' leads through a symbolic link to 'ignored', which .dockerignore excludes "
            "(line 1: 'ignored')");
  EXPECT_EQ(error_of({"alias/secret.key"}, "/s/"),
            "Dockerfile:2: source 'alias/secret.key' leads through a symbolic link to 'ignored/secret.key', which "
            ".dockerignore excludes (line 1: 'ignored')");
}

TEST_F(IgnoredThroughLinks, ALinkToAnIgnoredFileDirectlyOrThroughAChainOrAGlob) {
  const std::string refused =
      "leads through a symbolic link to 'secret.txt', which .dockerignore excludes (line 2: 'secret.txt')";
  EXPECT_EQ(error_of({"link.txt"}, "/x"), "Dockerfile:2: source 'link.txt' " + refused);
  EXPECT_EQ(error_of({"chain.txt"}, "/x"), "Dockerfile:2: source 'chain.txt' " + refused);
  EXPECT_EQ(error_of({"*.txt"}, "/x/"), "Dockerfile:2: source '*.txt' " + refused)
      << "the glob matches link.txt, whose name is not excluded";
}

// The link in the middle of a chain is itself excluded: Docker does not send it, so the chain
// is broken there even though it would end at a file that is sent.
TEST_F(IgnoredThroughLinks, AnExcludedLinkInTheChain) {
  EXPECT_EQ(error_of({"chain.txt"}, "/x", "link.txt\n"),
            "Dockerfile:2: source 'chain.txt' goes through the symbolic link 'link.txt', which .dockerignore excludes "
            "(line 1: 'link.txt')");
}

// A link to a directory that is partly excluded copies what Docker would send: the excluded
// file is not there. Links that lead to what is sent work as before.
TEST_F(IgnoredThroughLinks, WhatIsSentThroughALinkIsCopied) {
  EXPECT_EQ(copy({"to-mixed"}, "/m", {}, kIgnore),
            (std::map<std::string, std::string>{{"/m", "d 755 0:0"}, {"/m/public.txt", "f 644 0:0"}}));
  EXPECT_EQ(copy({"to-config/app.yaml"}, "/c.yaml", {}, kIgnore),
            (std::map<std::string, std::string>{{"/c.yaml", "f 644 0:0"}}));
}

TEST_F(IgnoredThroughLinks, LinksThatLoop) {
  EXPECT_EQ(error_of({"loop-a"}, "/x"), "Dockerfile:2: source 'loop-a': too many levels of symbolic links");
}

}  // namespace kiln::plugin
