// Hostile Dockerfiles and build contexts given to the real kiln-plugin (native backend, FROM
// scratch, written to an OCI layout: no registry needed). Each attack used to succeed or crash:
// 40,000 nested ${A:-...} ended in SIGSEGV (exit 139), --chown=4294967296:0 made a root-owned
// file (exit 0), twenty digits exited 3 with "stoul", and a symbolic link to a directory
// .dockerignore excludes copied it. Each is now exit 2 with the file and line at fault, and no
// image is written.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/temp_dir.h"
#include "tests/support/tools.h"

namespace kiln::testing {
namespace {

namespace fs = std::filesystem;

class HostileContext : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(context() / "ignored");
    std::ofstream(context() / "ignored/secret.key") << "s3cret";
    std::ofstream(context() / "app.txt") << "app";
    std::ofstream(context() / ".dockerignore") << "ignored\n";
    fs::create_symlink("ignored", context() / "alias");
  }
  fs::path context() const { return work_.path() / "context"; }
  fs::path layout() const { return work_.path() / "layout"; }

  ProcessResult build(const std::string& dockerfile) {
    std::ofstream(context() / "Dockerfile") << dockerfile;
    return run_plugin({{"PLUGIN_CONTEXT", context().string()},
                       {"PLUGIN_DOCKERFILE", (context() / "Dockerfile").string()},
                       {"PLUGIN_REPO", "registry.example.test/team/app"},
                       {"PLUGIN_NO_PUSH", "true"},
                       {"PLUGIN_BACKEND", "native"},
                       {"PLUGIN_OCI_LAYOUT_PATH", layout().string()},
                       {"PLUGIN_LAYER_CACHE_DIR", "none"}});
  }
  /// Exit 2, the message on stderr, no image written.
  void expect_refused(const std::string& dockerfile, const std::string& message) {
    const ProcessResult r = build(dockerfile);
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find("error: " + (context() / "Dockerfile").string() + ":2: " + message), std::string::npos)
        << r.err;
    EXPECT_FALSE(fs::exists(layout() / "index.json"));
  }

  TempDir work_{"kiln-hostile-context"};
};

TEST_F(HostileContext, DeeplyNestedSubstitutionsAreExit2NotACrash) {
  std::string word;
  for (int i = 0; i < 40'000; ++i) word += "${A:-";
  word += "x" + std::string(40'000, '}');
  expect_refused("FROM scratch\nENV X=" + word + "\n", "variable substitutions nested more than 64 deep");
}

TEST_F(HostileContext, ChownIdsOutOfRangeAreExit2) {
  expect_refused("FROM scratch\nCOPY --chown=4294967296:0 app.txt /app.txt\n",
                 "--chown=4294967296:0: uid 4294967296 is out of range (0 to 4294967294)");
  expect_refused("FROM scratch\nCOPY --chown=0:99999999999999999999 app.txt /app.txt\n",
                 "--chown=0:99999999999999999999: gid 99999999999999999999 is out of range (0 to 4294967294)");
  const ProcessResult largest = build("FROM scratch\nCOPY --chown=4294967294:4294967294 app.txt /app.txt\n");
  EXPECT_EQ(largest.exit_code, 0) << largest.err;
}

TEST_F(HostileContext, ALinkToAnIgnoredDirectoryIsExit2) {
  expect_refused("FROM scratch\nCOPY alias /s/\n",
                 "source 'alias' leads through a symbolic link to 'ignored', which .dockerignore excludes "
                 "(line 1: 'ignored')");
}

}  // namespace
}  // namespace kiln::testing
