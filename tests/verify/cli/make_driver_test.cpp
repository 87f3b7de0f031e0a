// Where kiln-verify finds kiln-probe for the local driver: the setting, next to itself, next
// to argv[0] (the bundle's launcher runs it through the bundle's ld.so, so /proc/self/exe is
// the loader there), in a build tree.
#include "verify/cli/make_driver.h"

#include <gtest/gtest.h>

#include <fstream>

#include "core/error.h"
#include "core/temp_dir.h"
#include "verify/cli/settings_table.h"

namespace kiln::verify {
namespace {

namespace fs = std::filesystem;

Settings settings(const std::vector<std::string>& args = {}) {
  return Settings::load(verify_setting_specs(), Env{}, args, nullptr);
}

TEST(ProbePath, TheSettingWins) {
  EXPECT_EQ(probe_path(settings({"--probe", "/opt/probe"}), "/somewhere/kiln-verify"), fs::path("/opt/probe"));
}

TEST(ProbePath, NextToArgv0WhenNotNextToTheRunningExecutable) {
  // This test program's /proc/self/exe has no kiln-probe beside it, like the bundle's loader.
  TempDir bundle("kiln-bundle");
  std::ofstream(bundle.path() / "kiln-probe") << "probe";
  EXPECT_EQ(probe_path(settings(), (bundle.path() / "kiln-verify").string()), bundle.path() / "kiln-probe");
}

TEST(ProbePath, ABareArgv0IsNotADirectory) {
  // A name found through PATH says nothing about where the program is; the current directory
  // must not count as "next to argv[0]".
  TempDir cwd("kiln-cwd");
  std::ofstream(cwd.path() / "kiln-probe") << "probe";
  const fs::path before = fs::current_path();
  fs::current_path(cwd.path());
  fs::path found;
  try {
    found = probe_path(settings(), "kiln-verify");
  } catch (const Error&) {
  }
  fs::current_path(before);
  EXPECT_NE(found, cwd.path() / "kiln-probe");
}

}  // namespace
}  // namespace kiln::verify
