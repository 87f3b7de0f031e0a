// Where kiln-verify finds kiln-probe for the local driver: the setting, next to itself, next
// to argv[0] (the bundle's launcher runs it through the bundle's ld.so, so /proc/self/exe is
// the loader there), in a build tree. How the sandbox and unpack settings are read, refused,
// passed to the kubernetes driver, or reported where they mean nothing.
#include "verify/cli/make_driver.h"

#include <gtest/gtest.h>

#include <fstream>

#include "core/error.h"
#include "core/temp_dir.h"
#include "oci/media_type.h"
#include "tests/support/captured_warnings.h"
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

// The usage error make_driver gives for `args`, or "" when it gives none.
std::string driver_error(std::vector<std::string> args) {
  args.insert(args.end(), {"--probe", "/nonexistent/kiln-probe"});
  try {
    make_driver(settings(args), Env{}, "kiln-verify");
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_class(), ExitClass::usage) << e.what();
    return e.what();
  }
  return "";
}

TEST(SandboxSettings, BadValuesAreUsageErrorsNamingTheSetting) {
  EXPECT_EQ(driver_error({"--driver", "local", "--memory_limit", "lots"}),
            "setting memory_limit: 'lots' is not a byte quantity such as 512Mi, 2Gi or 1048576");
  EXPECT_EQ(driver_error({"--driver", "local", "--memory_limit", "1Mi"}),
            "setting memory_limit: 1Mi is below the least kiln-probe needs, 16Mi");
  EXPECT_EQ(driver_error({"--driver", "local", "--pids_limit", "3"}),
            "setting pids_limit: 3 must be 0 (no limit) or at least 8, for kiln-probe and a command");
  EXPECT_EQ(driver_error({"--driver", "local", "--unpack_max_bytes", "0"}),
            "setting unpack_max_bytes: 0 would unpack nothing; give a size such as 2Gi");
  EXPECT_EQ(driver_error({"--driver", "local", "--unpack_max_entries", "0"}),
            "setting unpack_max_entries: 0 would unpack nothing");
  EXPECT_EQ(driver_error({"--driver", "local", "--memory_limit", "0", "--pids_limit", "0", "--unpack_max_bytes", "8Gi"}),
            "") << "0: no limit";
}

TEST(SandboxSettings, TheDefaultsAreTheDriversDefaults) {
  const Settings defaults = settings();
  EXPECT_EQ(defaults.get("unpack_max_bytes"), "2Gi");
  EXPECT_EQ(defaults.get("unpack_max_entries"), "2000000");
  EXPECT_EQ(defaults.get("memory_limit"), "512Mi");
  EXPECT_EQ(defaults.get("pids_limit"), "1024");
}

TEST(SandboxSettings, TheMemoryLimitIsTheCheckPodsLimitToo) {
  const ImageUnderTest image{.reference = "r/app:1", .pinned = "r/app@sha256:" + std::string(64, 'a'),
                             .image = {.media_type = std::string(oci::media_type::oci_manifest), .manifest_bytes = {},
                                       .digest = oci::Digest::parse("sha256:" + std::string(64, 'a')),
                                       .manifest = oci::Json::object(), .config = oci::Json::object(),
                                       .platform = {.os = "linux", .architecture = "amd64", .variant = {}}},
                             .blobs = nullptr};
  const auto pod = [&](std::vector<std::string> args) {
    args.insert(args.end(), {"--driver", "kubernetes", "--verify_image", "kiln/verify:1"});
    return oci::Json::parse(pod_manifest_text(settings(args), image, {}));
  };
  const auto resources_of = [](const oci::Json& manifest) {
    for (const auto& container : manifest["spec"]["containers"])
      if (container["name"] == "check") return container["resources"];
    return oci::Json();
  };
  EXPECT_EQ(resources_of(pod({}))["limits"]["memory"], "512Mi");
  EXPECT_EQ(resources_of(pod({"--memory_limit", "2Gi"}))["limits"]["memory"], "2Gi");
  const oci::Json small = resources_of(pod({"--memory_limit", "32Mi"}));
  EXPECT_EQ(small["limits"]["memory"], "32Mi");
  EXPECT_EQ(small["requests"]["memory"], "32Mi") << "a request above the limit is refused by the API server";
  EXPECT_FALSE(resources_of(pod({"--memory_limit", "0"}))["limits"].contains("memory"));
}

TEST(SandboxSettings, SettingsADriverCannotUseAreReportedNotDropped) {
  kiln::testing::CapturedWarnings warnings;
  make_driver(settings({"--driver", "static", "--pids_limit", "64", "--memory_limit", "1Gi"}), Env{}, "kiln-verify");
  EXPECT_NE(warnings.text().find("setting memory_limit has no effect with the static driver: the static driver reads "
                                 "the layers and runs nothing"),
            std::string::npos)
      << warnings.text();
  EXPECT_NE(warnings.text().find("setting pids_limit has no effect with the static driver"), std::string::npos);
  EXPECT_EQ(warnings.text().find("unpack_max_bytes"), std::string::npos) << "not set, not reported";
}

}  // namespace
}  // namespace kiln::verify
