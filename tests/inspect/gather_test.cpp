#include "inspect/gather.h"

#include <gtest/gtest.h>

#include "tests/inspect/memory_tree.h"
#include "tests/support/elf_builder.h"

namespace kiln::inspect {
namespace {

using testing::MemoryTree;

const std::string kApp = kiln::testing::make_elf(
    {.interpreter = "/lib64/ld-linux-x86-64.so.2", .needed = {"libapp.so", "libc.so.6"}, .runpath = {"$ORIGIN/lib"}});
const std::string kLib = kiln::testing::make_elf({});

MemoryTree image() {
  MemoryTree tree;
  tree.dir("/usr").dir("/usr/lib").dir("/usr/lib64").dir("/usr/local").dir("/usr/local/app").dir("/usr/local/app/lib");
  tree.dir("/usr/local/bin").dir("/etc").dir("/usr/lib/x86_64-linux-gnu");
  tree.link("/lib", "usr/lib").link("/lib64", "usr/lib64");
  tree.file("/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", kLib, 0755);
  tree.link("/usr/lib64/ld-linux-x86-64.so.2", "/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2");
  tree.file("/usr/lib/x86_64-linux-gnu/libc.so.6", kLib);
  tree.file("/usr/local/app/main", kApp, 0755).file("/usr/local/app/lib/libapp.so", kLib);
  tree.link("/usr/local/bin/main", "../app/main");
  tree.file("/etc/os-release", "ID=test\n").link("/etc/dangling", "/nowhere");
  return tree;
}

TEST(Gather, OneAnswerPerQueryInOrder) {
  const MemoryTree tree = image();
  const FactRequest request{.paths = {{.path = "/missing"}, {.path = "/etc/os-release"}, {.path = "/lib"}}};
  const Facts facts = gather_facts(request, tree, nullptr);
  ASSERT_EQ(facts.paths.size(), 3u);
  EXPECT_EQ(facts.paths[0], (PathFacts{.path = "/missing"}));  // absent is a fact, not an error
  EXPECT_TRUE(facts.paths[1].exists);
  EXPECT_EQ(facts.paths[1].stat, (FileStat{.type = FileStat::Type::file, .mode = 0644, .size = 8}));
  EXPECT_EQ(facts.paths[2].stat.type, FileStat::Type::symlink);  // lstat: the link itself
  EXPECT_EQ(facts.paths[2].stat.link_target, "usr/lib");
}

TEST(Gather, StatThroughIntermediateLinksContentsThroughTheLastOne) {
  const MemoryTree tree = image();
  const FactRequest request{.paths = {{.path = "/lib/x86_64-linux-gnu/libc.so.6"},
                                      {.path = "/usr/local/bin/main", .sha256 = true}}};
  const Facts facts = gather_facts(request, tree, nullptr);
  EXPECT_EQ(facts.paths[0].stat.type, FileStat::Type::file);
  EXPECT_EQ(facts.paths[1].stat.type, FileStat::Type::symlink);
  EXPECT_EQ(facts.paths[1].sha256, tree.sha256("/usr/local/app/main"));
}

TEST(Gather, ContentsAreCutAtTheLimitAndSaySo) {
  const MemoryTree tree = image();
  FactRequest request{.paths = {{.path = "/etc/os-release", .contents = true}}, .max_content_bytes = 8};
  auto facts = gather_facts(request, tree, nullptr);
  EXPECT_EQ(facts.paths[0].contents, "ID=test\n");
  EXPECT_FALSE(facts.paths[0].contents_truncated);
  request.max_content_bytes = 3;
  facts = gather_facts(request, tree, nullptr);
  EXPECT_EQ(facts.paths[0].contents, "ID=");
  EXPECT_TRUE(facts.paths[0].contents_truncated);
}

TEST(Gather, WhatCannotBeReadSaysWhy) {
  const MemoryTree tree = image();
  const FactRequest request{.paths = {{.path = "/etc/dangling", .contents = true},
                                      {.path = "/usr/local", .sha256 = true},
                                      {.path = "/etc/os-release", .elf = true}}};
  const Facts facts = gather_facts(request, tree, nullptr);
  EXPECT_TRUE(facts.paths[0].exists);
  EXPECT_EQ(facts.paths[0].error,
            "/etc/dangling is a symlink to \"/nowhere\", which does not resolve inside the image (missing, or a loop)");
  EXPECT_EQ(facts.paths[1].error, "/usr/local is a directory, not a regular file");
  EXPECT_TRUE(facts.paths[2].not_elf);
  EXPECT_EQ(facts.paths[2].elf, std::nullopt);
  EXPECT_EQ(facts.paths[2].error, "");
}

TEST(Gather, ElfFactsThroughALinkUseTheRealDirectoryForOrigin) {
  const MemoryTree tree = image();
  const Facts facts = gather_facts({.paths = {{.path = "/usr/local/bin/main", .elf = true}}}, tree, nullptr);
  ASSERT_TRUE(facts.paths[0].elf) << facts.paths[0].error;
  EXPECT_EQ(*facts.paths[0].elf,
            (ElfFacts{.bits = 64, .machine = 62, .architecture = "amd64", .dynamic = true,
                      .interpreter = "/lib64/ld-linux-x86-64.so.2", .interpreter_found = true, .runpath = {"$ORIGIN/lib"},
                      .libraries = {{"libapp.so", "/usr/local/app/lib/libapp.so"},
                                    {"libc.so.6", "/lib/x86_64-linux-gnu/libc.so.6"}}}));
}

TEST(Gather, ElfOfALargeBinaryReadsOnlyItsHeaders) {
  MemoryTree tree = image();
  std::string big = kApp;
  big.resize(32 * 1024 * 1024, '\x90');
  tree.file("/usr/local/app/main", big, 0755);
  const std::uint64_t before = tree.bytes_read();
  const Facts facts = gather_facts({.paths = {{.path = "/usr/local/app/main", .elf = true}}}, tree, nullptr);
  ASSERT_TRUE(facts.paths[0].elf);
  EXPECT_LT(tree.bytes_read() - before, 64u * 1024);
}

TEST(Gather, CommandsWithoutARunnerAreAnsweredAsNotRun) {
  const MemoryTree tree = image();
  const FactRequest request{.commands = {{.id = "version", .argv = {"/usr/local/app/main", "--version"}}}};
  const Facts facts = gather_facts(request, tree, nullptr, "static driver: images are not run");
  ASSERT_EQ(facts.commands.size(), 1u);
  EXPECT_EQ(facts.commands[0], (CommandFacts{.id = "version", .ran = false, .error = "static driver: images are not run"}));
}

TEST(Gather, CommandsGoToTheRunnerInOrder) {
  struct Recorder : CommandRunner {
    std::vector<std::string> seen;
    CommandFacts run(const CommandQuery& query, std::uint64_t max_output_bytes) override {
      seen.push_back(query.argv[0] + ":" + std::to_string(max_output_bytes));
      return {.ran = true, .exit_code = static_cast<int>(seen.size())};  // id left out on purpose
    }
  } runner;
  const MemoryTree tree = image();
  const FactRequest request{.commands = {{.id = "a", .argv = {"x"}}, {.id = "b", .argv = {"y"}}}, .max_output_bytes = 9};
  const Facts facts = gather_facts(request, tree, &runner);
  EXPECT_EQ(runner.seen, (std::vector<std::string>{"x:9", "y:9"}));
  ASSERT_EQ(facts.commands.size(), 2u);
  EXPECT_EQ(facts.commands[0].id, "a");
  EXPECT_EQ(facts.commands[1].id, "b");
  EXPECT_EQ(facts.commands[1].exit_code, 2);
}

}  // namespace
}  // namespace kiln::inspect

namespace kiln::inspect {
namespace {

// licenseTests' debian check lists /usr/share/doc: the subdirectories, symlinks not followed
// (CST reads tar headers of type directory only), through a link to the directory itself.
TEST(Gather, ListNamesTheSubdirectoriesOnly) {
  MemoryTree tree;
  tree.dir("/usr").dir("/usr/share").dir("/usr/share/doc").dir("/usr/share/doc/dash").dir("/usr/share/doc/zlib1g");
  tree.file("/usr/share/doc/README", "x").link("/usr/share/doc/alias", "dash").link("/doc", "usr/share/doc");
  const Facts facts = gather_facts({.paths = {{.path = "/usr/share/doc", .list = true}, {.path = "/doc", .list = true},
                                              {.path = "/missing", .list = true}}},
                                   tree, nullptr);
  ASSERT_EQ(facts.paths.size(), 3u);
  EXPECT_EQ(facts.paths[0].subdirectories, (std::vector<std::string>{"dash", "zlib1g"}));
  EXPECT_EQ(facts.paths[1].subdirectories, (std::vector<std::string>{"dash", "zlib1g"}));
  EXPECT_FALSE(facts.paths[2].subdirectories);
  EXPECT_FALSE(facts.paths[2].exists);
}

}  // namespace
}  // namespace kiln::inspect
