#include "inspect/library_resolution.h"

#include <elf.h>

#include <fstream>

#include <gtest/gtest.h>

#include "core/temp_dir.h"
#include "inspect/directory_tree.h"
#include "inspect/elf_facts.h"
#include "tests/inspect/memory_tree.h"
#include "tests/support/elf_builder.h"
#include "tests/support/rootfs.h"
#include "tests/support/tools.h"

namespace kiln::inspect {
namespace {

namespace fs = std::filesystem;
using kiln::testing::ElfSpec;
using kiln::testing::make_elf;
using testing::MemoryTree;

const std::string kLib64 = make_elf({});                                 // x86-64 shared object
const std::string kLib32 = make_elf({.bits = 32, .machine = EM_386});    // wrong class
const std::string kLibArm = make_elf({.machine = EM_AARCH64});           // wrong machine

ElfDynamicInfo app(ElfSpec spec) { return *read_elf_dynamic(std::string_view(make_elf(spec))); }

std::string resolved(const MemoryTree& tree, const ElfDynamicInfo& elf, std::string_view binary = "/app/main") {
  const auto libraries = resolve_libraries(tree, binary, elf);
  return libraries.size() == 1 ? libraries[0].resolved : "<" + std::to_string(libraries.size()) + " results>";
}

MemoryTree glibc_tree() {
  MemoryTree tree;
  tree.dir("/app").file("/app/main", "").dir("/opt").dir("/opt/r").dir("/opt/p").dir("/etc");
  tree.dir("/lib").dir("/lib/x86_64-linux-gnu").dir("/usr").dir("/usr/lib").dir("/usr/lib/x86_64-linux-gnu");
  return tree;
}

TEST(LibraryResolution, RunpathHidesRpathForGlibc) {
  MemoryTree tree = glibc_tree();
  tree.file("/opt/r/liba.so", kLib64).file("/opt/p/liba.so", kLib64);
  const auto both = app({.interpreter = "/lib64/ld-linux-x86-64.so.2", .needed = {"liba.so"},
                         .rpath = {"/opt/r"}, .runpath = {"/opt/p"}});
  EXPECT_EQ(resolved(tree, both), "/opt/p/liba.so");
  const auto rpath_only = app({.interpreter = "/lib64/ld-linux-x86-64.so.2", .needed = {"liba.so"}, .rpath = {"/opt/r"}});
  EXPECT_EQ(resolved(tree, rpath_only), "/opt/r/liba.so");
}

TEST(LibraryResolution, RunpathThenLdSoConfThenDefaults) {
  MemoryTree tree = glibc_tree();
  tree.dir("/etc/ld.so.conf.d").file("/etc/ld.so.conf", "include /etc/ld.so.conf.d/*.conf\n");
  tree.file("/etc/ld.so.conf.d/app.conf", "/opt/conf\n").dir("/opt/conf");
  const auto elf = app({.interpreter = "/lib64/ld-linux-x86-64.so.2", .needed = {"liba.so"}, .runpath = {"/opt/p"}});
  tree.file("/usr/lib/liba.so", kLib64);
  EXPECT_EQ(resolved(tree, elf), "/usr/lib/liba.so");
  tree.file("/usr/lib/x86_64-linux-gnu/liba.so", kLib64);
  EXPECT_EQ(resolved(tree, elf), "/usr/lib/x86_64-linux-gnu/liba.so");
  tree.file("/lib/x86_64-linux-gnu/liba.so", kLib64);
  EXPECT_EQ(resolved(tree, elf), "/lib/x86_64-linux-gnu/liba.so");
  tree.file("/opt/conf/liba.so", kLib64);
  EXPECT_EQ(resolved(tree, elf), "/opt/conf/liba.so");
  tree.file("/opt/p/liba.so", kLib64);
  EXPECT_EQ(resolved(tree, elf), "/opt/p/liba.so");
}

TEST(LibraryResolution, OnlyARegularElfOfTheSameClassAndMachineCounts) {
  MemoryTree tree = glibc_tree();
  tree.dir("/opt/a").dir("/opt/b").dir("/opt/c").dir("/opt/d").dir("/opt/e").dir("/opt/f").dir("/opt/f/liba.so");
  tree.file("/opt/a/liba.so", kLib32).file("/opt/b/liba.so", kLibArm).file("/opt/c/liba.so", "INPUT(-lfoo)\n");
  tree.link("/opt/d/liba.so", "/nowhere/liba.so").link("/opt/e/liba.so", "../../usr/lib/real.so");
  tree.file("/usr/lib/real.so", kLib64);
  const auto elf = app({.needed = {"liba.so"}, .runpath = {"/opt/a", "/opt/b", "/opt/c", "/opt/d", "/opt/f", "/opt/e"}});
  // A link is reported where the loader found it, as ldd does.
  EXPECT_EQ(resolved(tree, elf), "/opt/e/liba.so");
  const auto none = app({.needed = {"liba.so"}, .runpath = {"/opt/a", "/opt/b", "/opt/c", "/opt/d", "/opt/f"}});
  EXPECT_EQ(resolved(tree, none), "");
}

TEST(LibraryResolution, ExpandsTheLoadersTokens) {
  MemoryTree tree = glibc_tree();
  const auto elf = app({.interpreter = "/lib64/ld-linux-x86-64.so.2", .needed = {"liba.so"},
                        .runpath = {"$ORIGIN/../lib", "${ORIGIN}/x", "/opt/$LIB", "/opt/$PLATFORM", "$ORIGINAL"}});
  const auto dirs = library_search_path(tree, "/app/bin/main", elf);
  const std::vector<std::string> expected_start = {"/app/bin/../lib", "/app/bin/x", "/opt/lib/x86_64-linux-gnu",
                                                   "/opt/lib64", "/opt/x86_64", "$ORIGINAL"};
  ASSERT_GE(dirs.size(), expected_start.size());
  EXPECT_EQ(std::vector<std::string>(dirs.begin(), dirs.begin() + 6), expected_start);
  tree.dir("/app/bin").dir("/app/lib").file("/app/lib/liba.so", kLib64);
  EXPECT_EQ(resolved(tree, elf, "/app/bin/main"), "/app/bin/../lib/liba.so");
}

TEST(LibraryResolution, DefaultDirectoriesFollowTheClass) {
  MemoryTree tree;
  const auto dirs64 = library_search_path(tree, "/main", app({.needed = {"x"}}));
  EXPECT_EQ(dirs64, (std::vector<std::string>{"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64",
                                              "/usr/lib64", "/lib", "/usr/lib"}));
  const auto dirs32 = library_search_path(tree, "/main", app({.bits = 32, .machine = EM_386, .needed = {"x"}}));
  EXPECT_EQ(dirs32, (std::vector<std::string>{"/lib/i386-linux-gnu", "/usr/lib/i386-linux-gnu", "/lib32", "/usr/lib32",
                                              "/lib", "/usr/lib"}));
}

TEST(LibraryResolution, ANameWithASlashIsAPath) {
  MemoryTree tree = glibc_tree();
  tree.file("/opt/p/libz.so", kLib64).dir("/app/sub").file("/app/sub/libq.so", kLib64);
  const auto elf = app({.needed = {"/opt/p/libz.so", "$ORIGIN/sub/libq.so", "/opt/p/missing.so"}});
  const auto libraries = resolve_libraries(tree, "/app/main", elf);
  ASSERT_EQ(libraries.size(), 3u);
  EXPECT_EQ(libraries[0].resolved, "/opt/p/libz.so");
  EXPECT_EQ(libraries[1].resolved, "/app/sub/libq.so");
  EXPECT_EQ(libraries[2], (LibraryResolution{.name = "/opt/p/missing.so", .resolved = ""}));
}

TEST(LibraryResolution, MuslUsesItsPathFileOrItsDefaults) {
  MemoryTree tree;
  tree.dir("/lib").dir("/etc").dir("/opt").dir("/opt/m").dir("/usr").dir("/usr/lib").dir("/app");
  tree.file("/lib/ld-musl-x86_64.so.1", kLib64).link("/lib/libc.musl-x86_64.so.1", "ld-musl-x86_64.so.1");
  tree.file("/usr/lib/libstdc++.so.6", kLib64);
  const auto elf = app({.interpreter = "/lib/ld-musl-x86_64.so.1", .needed = {"libc.musl-x86_64.so.1", "libstdc++.so.6"},
                        .rpath = {"/opt/r"}, .runpath = {"/opt/p"}});
  // musl honours RPATH and RUNPATH alike, and has no ld.so.conf.
  EXPECT_EQ(library_search_path(tree, "/app/main", elf),
            (std::vector<std::string>{"/opt/r", "/opt/p", "/lib", "/usr/local/lib", "/usr/lib"}));
  auto libraries = resolve_libraries(tree, "/app/main", elf);
  ASSERT_EQ(libraries.size(), 2u);
  EXPECT_EQ(libraries[0].resolved, "/lib/libc.musl-x86_64.so.1");
  EXPECT_EQ(libraries[1].resolved, "/usr/lib/libstdc++.so.6");

  tree.file("/etc/ld-musl-x86_64.path", "/opt/m\n/usr/lib:/lib\n").file("/opt/m/libstdc++.so.6", kLib64);
  EXPECT_EQ(library_search_path(tree, "/app/main", elf),
            (std::vector<std::string>{"/opt/r", "/opt/p", "/opt/m", "/usr/lib", "/lib"}));
  libraries = resolve_libraries(tree, "/app/main", elf);
  EXPECT_EQ(libraries[1].resolved, "/opt/m/libstdc++.so.6");
}

TEST(LibraryResolution, InterpreterMustBeARegularFile) {
  MemoryTree tree;
  tree.dir("/lib").dir("/lib64").file("/lib/ld.so", kLib64).link("/lib64/ld.so", "/lib/ld.so");
  tree.link("/lib64/dangling.so", "/lib/none.so").dir("/lib64/dir.so");
  EXPECT_TRUE(interpreter_exists(tree, "/lib64/ld.so"));
  EXPECT_FALSE(interpreter_exists(tree, "/lib64/dangling.so"));
  EXPECT_FALSE(interpreter_exists(tree, "/lib64/dir.so"));
  EXPECT_FALSE(interpreter_exists(tree, ""));
}

// ----- real binaries in a rootfs assembled from this machine -----

class RootfsTest : public ::testing::Test {
 protected:
  void SetUp() override { kiln::testing::make_merged_usr(root()); }
  const fs::path& root() const { return dir_.path(); }
  TempDir dir_{"kiln-library-rootfs"};
};

TEST_F(RootfsTest, LsAndTheLibrariesLddNames) {
  kiln::testing::copy_with_libraries(root(), "/bin/ls", "/usr/bin/ls");
  const DirectoryTree tree(root());
  const auto inspection = inspect_elf(tree, "/usr/bin/ls");
  ASSERT_TRUE(inspection.facts) << inspection.error;
  EXPECT_EQ(inspection.error, "");
  const ElfFacts& facts = *inspection.facts;
  EXPECT_TRUE(facts.dynamic);
  EXPECT_EQ(facts.interpreter, "/lib64/ld-linux-x86-64.so.2");
  EXPECT_TRUE(facts.interpreter_found);
  ASSERT_FALSE(facts.libraries.empty());
  for (const auto& library : facts.libraries)
    EXPECT_EQ(library.resolved, "/lib/x86_64-linux-gnu/" + library.name) << library.name;
}

TEST_F(RootfsTest, AMissingLibraryIsReportedByName) {
  kiln::testing::copy_with_libraries(root(), "/bin/ls", "/usr/bin/ls");
  fs::remove(root() / "usr/lib/x86_64-linux-gnu/libselinux.so.1");
  fs::remove(root() / "usr/lib64/ld-linux-x86-64.so.2");
  const DirectoryTree tree(root());
  const auto facts = *inspect_elf(tree, "/usr/bin/ls").facts;
  EXPECT_FALSE(facts.interpreter_found);
  for (const auto& library : facts.libraries)
    EXPECT_EQ(library.resolved, library.name == "libselinux.so.1" ? "" : "/lib/x86_64-linux-gnu/" + library.name);
}

// A binary built here with a $ORIGIN search path, as C++ applications are often shipped; the
// host's own loader runs it first, so the expectation is the loader's, not ours.
TEST_F(RootfsTest, OriginSearchPathOfACompiledBinary) {
  TempDir build("kiln-origin-build");
  const fs::path lib_c = build.path() / "foo.c", main_c = build.path() / "main.c";
  std::ofstream(lib_c) << "int foo(void) { return 42; }\n";
  std::ofstream(main_c) << "int foo(void);\nint main(void) { return foo(); }\n";
  fs::create_directories(build.path() / "lib");
  using kiln::testing::run_ok;
  run_ok({"gcc", "-shared", "-fPIC", "-o", (build.path() / "lib/libfoo.so").string(), lib_c.string()});
  for (const char* tags : {"-Wl,--enable-new-dtags", "-Wl,--disable-new-dtags"}) {
    SCOPED_TRACE(tags);
    const fs::path main = build.path() / "main";
    run_ok({"gcc", "-o", main.string(), main_c.string(), "-L" + (build.path() / "lib").string(), "-lfoo",
            "-Wl,-rpath,$ORIGIN/lib", tags});
    EXPECT_EQ(run_process({main.string()}).exit_code, 42);  // the real loader found lib/libfoo.so

    kiln::testing::copy_with_libraries(root(), main, "/usr/local/app/main");
    kiln::testing::copy_into(root(), build.path() / "lib/libfoo.so", "/usr/local/app/lib/libfoo.so");
    const DirectoryTree tree(root());
    const auto facts = *inspect_elf(tree, "/usr/local/app/main").facts;
    const bool runpath = std::string(tags) == "-Wl,--enable-new-dtags";
    EXPECT_EQ(runpath ? facts.runpath : facts.rpath, std::vector<std::string>{"$ORIGIN/lib"});
    EXPECT_TRUE((runpath ? facts.rpath : facts.runpath).empty());
    ASSERT_EQ(facts.libraries.size(), 2u);
    EXPECT_EQ(facts.libraries[0], (LibraryResolution{"libfoo.so", "/usr/local/app/lib/libfoo.so"}));
    EXPECT_EQ(facts.libraries[1], (LibraryResolution{"libc.so.6", "/lib/x86_64-linux-gnu/libc.so.6"}));

    fs::remove(root() / "usr/local/app/lib/libfoo.so");
    EXPECT_EQ(inspect_elf(tree, "/usr/local/app/main").facts->libraries[0].resolved, "");
  }
}

}  // namespace
}  // namespace kiln::inspect
