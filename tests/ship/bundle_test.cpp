// The bundle of ci/bundle.sh: kiln-plugin and kiln-verify with their libraries and glibc's
// loader, kiln-probe static, all in one directory that runs under runc in a root filesystem
// holding nothing but the bundle, from a path other than the one it was assembled at.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <sstream>

#include "core/process.h"
#include "core/temp_dir.h"
#include "tests/support/runc_container.h"
#include "tests/support/tools.h"

namespace kiln::ship {
namespace {

namespace fs = std::filesystem;
using kiln::testing::RuncContainer;
using kiln::testing::run_ok;

class Bundle : public ::testing::Test {
 protected:
  // Assembled once, by the real script, from this build tree.
  static void SetUpTestSuite() {
    work_ = std::make_unique<TempDir>("kiln-bundle-test");
    run_ok({KILN_SOURCE_DIR "/ci/bundle.sh", bundle().string(), KILN_BUILD_DIR});
  }
  static void TearDownTestSuite() { work_.reset(); }
  static fs::path bundle() { return work_->path() / "assembled/kiln"; }

  /// Copies the bundle to `image_path` inside `rootfs` (links kept as links).
  static void copy_bundle(const fs::path& rootfs, const std::string& image_path) {
    const fs::path target = rootfs / fs::path(image_path).relative_path();
    fs::create_directories(target.parent_path());
    run_ok({"cp", "-a", bundle().string(), target.string()});
  }

  static std::vector<std::string> entries(const fs::path& dir) {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
  }

  static inline std::unique_ptr<TempDir> work_;
};

TEST_F(Bundle, HasTheLaunchersTheProgramsTheLoaderAndTheProbe) {
  for (const char* file : {"kiln-plugin", "kiln-verify", "kiln-probe", "lib/kiln-plugin", "lib/kiln-verify", "lib/ld.so"})
    EXPECT_TRUE(fs::exists(bundle() / file)) << file;
  EXPECT_TRUE(fs::is_symlink(bundle() / "lib/ld.so"));
  EXPECT_EQ(fs::read_symlink(bundle() / "lib/ld.so").parent_path(), fs::path());  // relative, inside lib/
  // The launchers and the probe are static: nothing for the kernel to look up but themselves.
  for (const char* file : {"kiln-plugin", "kiln-verify", "kiln-probe"}) {
    const ProcessResult file_type = run_process({"file", "-b", (bundle() / file).string()});
    if (file_type.exit_code == 0) {
      EXPECT_NE(file_type.out.find("statically linked"), std::string::npos) << file << ": " << file_type.out;
    }
  }
}

TEST_F(Bundle, EveryLibraryResolvesInsideTheBundle) {
  const std::string lib = (bundle() / "lib").string();
  for (const char* program : {"kiln-plugin", "kiln-verify"}) {
    const std::string listing = run_ok({lib + "/ld.so", "--library-path", lib, "--list", lib + "/" + program});
    std::istringstream lines(listing);
    int resolved = 0;
    for (std::string line; std::getline(lines, line);) {
      EXPECT_EQ(line.find("not found"), std::string::npos) << program << ": " << line;
      const auto arrow = line.find("=> ");
      if (arrow == std::string::npos) continue;
      const std::string path = line.substr(arrow + 3, line.find(" (", arrow) - arrow - 3);
      EXPECT_TRUE(path.starts_with(lib + "/")) << program << " loads " << path << " from outside the bundle";
      ++resolved;
    }
    EXPECT_GE(resolved, 5) << listing;  // Poco, OpenSSL, libstdc++, libc, ...
  }
}

TEST_F(Bundle, RunsUnderRuncInARootfsOfNothingButTheBundleAtAnotherPath) {
  RuncContainer container;
  copy_bundle(container.rootfs(), "/opt/elsewhere/kiln");
  ASSERT_EQ(entries(container.rootfs()), std::vector<std::string>{"opt"});
  ASSERT_NE(bundle().string(), "/opt/elsewhere/kiln");

  const ProcessResult version = container.run({"/opt/elsewhere/kiln/kiln-plugin", "--version"});
  EXPECT_EQ(version.exit_code, 0) << version.out << version.err;
  EXPECT_TRUE(version.out.starts_with("kiln-plugin ")) << version.out;

  const ProcessResult help = container.run({"/opt/elsewhere/kiln/kiln-verify", "--help"});
  EXPECT_EQ(help.exit_code, 0) << help.out << help.err;
  EXPECT_NE(help.out.find("kiln-verify"), std::string::npos) << help.out;

  const ProcessResult probe = container.run({"/opt/elsewhere/kiln/kiln-probe", "--version"});
  EXPECT_EQ(probe.exit_code, 0) << probe.out << probe.err;
}

TEST_F(Bundle, RunsAsTheWholeRootFilesystemToo) {
  // The bundle's directory is / itself: no parent directory, nothing else.
  RuncContainer container;
  fs::remove(container.rootfs());
  run_ok({"cp", "-a", bundle().string(), container.rootfs().string()});
  const ProcessResult version = container.run({"/kiln-plugin", "--version"});
  EXPECT_EQ(version.exit_code, 0) << version.out << version.err;
  const ProcessResult help = container.run({"/kiln-verify", "--help"});
  EXPECT_EQ(help.exit_code, 0) << help.out << help.err;
}

TEST_F(Bundle, TheProbeRunsInAnEmptyScratchRootfs) {
  RuncContainer container;
  run_ok({"cp", (bundle() / "kiln-probe").string(), (container.rootfs() / "kiln-probe").string()});
  ASSERT_EQ(entries(container.rootfs()), std::vector<std::string>{"kiln-probe"});
  const ProcessResult version = container.run({"/kiln-probe", "--version"});
  EXPECT_EQ(version.exit_code, 0) << version.out << version.err;
}

TEST_F(Bundle, TheLauncherSaysWhatIsMissing) {
  // A launcher copied away from its lib/ fails with a message, not a crash.
  TempDir alone("kiln-launcher-alone");
  run_ok({"cp", (bundle() / "kiln-plugin").string(), (alone.path() / "kiln-plugin").string()});
  const ProcessResult r = run_process({(alone.path() / "kiln-plugin").string(), "--version"});
  EXPECT_EQ(r.exit_code, 127);
  EXPECT_EQ(r.err, "kiln launcher: cannot run " + (alone.path() / "lib/ld.so").string() + ": No such file or directory\n");
}

}  // namespace
}  // namespace kiln::ship
