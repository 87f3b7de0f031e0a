// kiln as installed: `cmake --install` of this build tree into a temporary prefix holds every
// program, libkiln with its headers and CMake package; each header compiles on the standard
// library alone and names no dependency's type; libkiln exports its API and nothing else; and
// examples/embed, configured in a clean environment with nothing but the prefix, builds a
// program whose image is the one the installed kiln-plugin builds, which skopeo, umoci and runc
// accept and the installed kiln-verify (finding the installed kiln-probe) verifies with the
// local driver.
#include <gtest/gtest.h>
#include <kiln/version.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "core/temp_dir.h"
#include "oci/json.h"
#include "tests/support/busybox_image.h"
#include "tests/support/files.h"
#include "tests/support/local_registry.h"
#include "tests/support/tools.h"

namespace kiln::testing {
namespace {

namespace fs = std::filesystem;
constexpr const char* kInstalledEpoch = "1700000000";

// Runs argv with exactly `env` (env -i): nothing of the test's own environment leaks in.
ProcessResult run_clean(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
                        std::chrono::seconds timeout = std::chrono::seconds(240)) {
  std::vector<std::string> full{"env", "-i"};
  for (const auto& [name, value] : env) full.push_back(name + "=" + value);
  full.insert(full.end(), argv.begin(), argv.end());
  ProcessOptions options;
  options.timeout = timeout;
  return run_process(full, options);
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(line);
  return out;
}

class InstalledKiln : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir("kiln-installed");
    run_ok({"cmake", "--install", KILN_BUILD_DIR, "--prefix", prefix().string()});
    registry_ = new LocalRegistry();
    push_busybox_base(*registry_->client(), {.repository = "base/busybox", .tag = "1"});
  }
  static void TearDownTestSuite() {
    delete registry_;
    delete dir_;
  }

  static fs::path prefix() { return dir_->path() / "prefix"; }
  static std::string ref(const std::string& name) { return registry_->host() + "/" + name; }

  // The installed kiln-plugin's digest for the demo build of `target`.
  static std::string installed_plugin_build(const std::string& target) {
    const fs::path docker = dir_->path() / "docker";
    fs::create_directories(docker);
    const ProcessResult r = run_clean({(prefix() / "bin/kiln-plugin").string()},
                                      {{"PATH", "/usr/bin:/bin"},
                                       {"HOME", dir_->path().string()},
                                       {"DOCKER_CONFIG", docker.string()},
                                       {"SOURCE_DATE_EPOCH", kInstalledEpoch},
                                       {"PLUGIN_REPO", ref(target)},
                                       {"PLUGIN_TAGS", "v1"},
                                       {"PLUGIN_BASE_IMAGE", ref("base/busybox:1")},
                                       {"PLUGIN_BINARY", KILN_HELLO_BINARY},
                                       {"PLUGIN_INSECURE", "true"}});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return digest_in(r.out);
  }

  // skopeo copies the image out (checking every digest), umoci unpacks it, runc runs it.
  static std::string run_image(const std::string& reference) {
    const fs::path work = dir_->path() / "run";
    fs::remove_all(work);
    fs::create_directories(work);
    run_ok({"skopeo", "copy", "--src-tls-verify=false", "docker://" + reference, "oci:" + (work / "layout").string() + ":run"});
    run_ok({"umoci", "unpack", "--image", (work / "layout").string() + ":run", (work / "bundle").string()});
    auto spec = oci::Json::parse(std::ifstream(work / "bundle/config.json"));
    spec["process"]["terminal"] = false;
    std::ofstream(work / "bundle/config.json") << spec.dump();
    return run_ok({"runc", "--root", (work / "runc").string(), "run", "--bundle", (work / "bundle").string(),
                   "kiln-installed-" + std::to_string(::getpid())});
  }

  static inline TempDir* dir_ = nullptr;
  static inline LocalRegistry* registry_ = nullptr;
};

TEST_F(InstalledKiln, ThePrefixHoldsEveryProgramAndTheLibraryWithItsHeadersAndPackage) {
  std::vector<std::string> programs = {"bin/kiln-plugin", "bin/kiln-verify", "libexec/kiln/kiln-probe"};
#ifdef KILN_HAS_SERVER
  programs.push_back("bin/kiln-server");
#endif
#ifdef KILN_HAS_BENCH
  programs.push_back("bin/kiln-bench");
#endif
  for (const std::string& program : programs) {
    const fs::path path = prefix() / program;
    ASSERT_TRUE(fs::is_regular_file(path)) << program;
    EXPECT_NE(fs::status(path).permissions() & fs::perms::owner_exec, fs::perms::none) << program;
  }
  EXPECT_NE(run_ok({(prefix() / "bin/kiln-plugin").string(), "--version"}).find(KILN_VERSION_STRING), std::string::npos);

  const std::string so = std::string("lib/libkiln.so.") + KILN_VERSION_STRING;
  EXPECT_TRUE(fs::is_regular_file(prefix() / so));
  EXPECT_EQ(fs::read_symlink(prefix() / "lib/libkiln.so"), "libkiln.so.0.1");
  EXPECT_EQ(fs::read_symlink(prefix() / "lib/libkiln.so.0.1"), fs::path(so).filename());
  for (const char* file : {"kilnConfig.cmake", "kilnConfigVersion.cmake", "kilnTargets.cmake"})
    EXPECT_TRUE(fs::is_regular_file(prefix() / "lib/cmake/kiln" / file)) << file;

  // The public headers and nothing of kiln's internals.
  std::set<std::string> headers;
  for (const auto& entry : fs::recursive_directory_iterator(prefix() / "include"))
    if (entry.is_regular_file()) headers.insert(fs::relative(entry.path(), prefix() / "include").string());
  EXPECT_EQ(headers, (std::set<std::string>{"kiln/build.h", "kiln/cancellation.h", "kiln/errors.h", "kiln/export.h",
                                            "kiln/kiln.h", "kiln/log.h", "kiln/registry.h", "kiln/verify.h",
                                            "kiln/version.h"}));
}

// Each header alone, as C++17 and C++20, with -Wall -Wextra -Werror and only the prefix added
// to the include path; every file it pulls in is the prefix's or the C/C++ standard library's
// (dpkg names the package of each: libstdc++, libc, the kernel's and gcc's own headers).
TEST_F(InstalledKiln, EachHeaderCompilesAloneOnTheStandardLibrary) {
  const fs::path work = dir_->path() / "headers";
  fs::create_directories(work);
  std::set<std::string> outside;
  for (const auto& entry : fs::directory_iterator(prefix() / "include/kiln")) {
    const std::string header = "kiln/" + entry.path().filename().string();
    const fs::path unit = work / (entry.path().stem().string() + ".cpp");
    std::ofstream(unit) << "#include <" << header << ">\nint main() { return 0; }\n";
    for (const char* standard : {"-std=c++17", "-std=c++20"}) {
      const fs::path deps = work / (entry.path().stem().string() + standard + ".d");
      const ProcessResult r = run_process({"g++", standard, "-Wall", "-Wextra", "-Werror", "-fsyntax-only", "-MD", "-MF",
                                           deps.string(), "-I", (prefix() / "include").string(), unit.string()},
                                          {.timeout = std::chrono::seconds(120)});
      EXPECT_EQ(r.exit_code, 0) << header << " " << standard << ":\n" << r.err;
      std::string text = read_file(deps);
      for (char& c : text)
        if (c == '\\' || c == '\n') c = ' ';
      std::istringstream words(text);
      for (std::string word; words >> word;) {
        if (word.ends_with(":") || word == unit.string()) continue;
        const fs::path file = fs::weakly_canonical(word);
        if (file.string().starts_with((prefix() / "include/kiln/").string())) continue;
        outside.insert(file.string());
      }
    }
  }
  ASSERT_FALSE(outside.empty());
  std::vector<std::string> argv{"dpkg", "-S"};
  argv.insert(argv.end(), outside.begin(), outside.end());
  const std::regex standard_library(R"(^(libstdc\+\+-[0-9]+-dev|libc6-dev|linux-libc-dev|libgcc-[0-9]+-dev)(:[a-z0-9]+)?: .*)");
  const std::vector<std::string> owners = lines(run_ok(argv));
  EXPECT_EQ(owners.size(), outside.size());
  for (const std::string& owner : owners) EXPECT_TRUE(std::regex_match(owner, standard_library)) << owner;
}

// No type of kiln's dependencies reaches a program through the installed headers: no name in
// Poco's, nlohmann json's, spdlog's or fmt's namespace, no header of any library kiln links, so
// a program stays free to use other versions of them.
TEST_F(InstalledKiln, TheInstalledHeadersNameNoneOfKilnsDependencies) {
  std::size_t headers = 0;
  const std::regex dependency(R"(\b(Poco|nlohmann|spdlog|fmt)::|#\s*include\s*[<"](Poco|nlohmann|spdlog|fmt|archive|)"
                              R"(pugixml|yaml-cpp|re2|openssl|sqlite3|benchmark|gtest)\b)");
  for (const auto& entry : fs::recursive_directory_iterator(prefix() / "include")) {
    if (!entry.is_regular_file()) continue;
    ++headers;
    std::istringstream text(read_file(entry.path()));
    int number = 0;
    for (std::string line; std::getline(text, line);) {
      ++number;
      std::smatch found;
      EXPECT_FALSE(std::regex_search(line, found, dependency))
          << entry.path().filename().string() << ":" << number << " names " << found.str() << ": " << line;
    }
  }
  EXPECT_GE(headers, 8u);
}

// libkiln.so exports the public API and nothing else (kiln's layers, Poco, libarchive, ... stay
// inside it), and its soname carries major.minor.
TEST_F(InstalledKiln, TheLibraryExportsOnlyItsApiAndCarriesItsVersionInItsSoname) {
  const fs::path library = prefix() / "lib/libkiln.so";
  const std::regex api(R"(^(typeinfo for |typeinfo name for |vtable for )?kiln::)"
                       R"((Exception|UsageError|RegistryError|Failure|Cancelled|CancellationToken|VerifyReport|)"
                       R"(build_image|verify_image|set_log_handler|version)\b.*)");
  std::set<std::string> exported;
  for (const std::string& line : lines(run_ok({"nm", "-D", "--defined-only", "-C", library.string()}))) {
    const auto space = line.find(' ', line.find(' ') + 1);
    const std::string name = line.substr(space + 1);
    exported.insert(name);
    EXPECT_TRUE(std::regex_match(name, api)) << "exported: " << name;
  }
  for (const char* wanted : {"kiln::build_image(kiln::BuildRequest const&)", "kiln::verify_image(kiln::VerifyRequest const&)",
                             "typeinfo for kiln::UsageError", "kiln::CancellationToken::cancel()"})
    EXPECT_TRUE(exported.count(wanted)) << wanted;
  const std::string dynamic = run_ok({"objdump", "-p", library.string()});
  EXPECT_TRUE(std::regex_search(dynamic, std::regex(R"(SONAME\s+libkiln\.so\.0\.1\n)"))) << dynamic;
}

// The example, built from the prefix alone, pushes the demo image (the one the installed
// kiln-plugin builds); skopeo reads it back, runc runs it, and the installed kiln-verify, which
// finds the installed kiln-probe in libexec/, checks it with the local driver.
TEST_F(InstalledKiln, TheEmbedExampleBuildsFromThePrefixAloneAndItsImageRunsAndVerifies) {
  // A copy of the example, so nothing can reach back into kiln's source tree.
  const fs::path source = dir_->path() / "embed";
  fs::copy(KILN_SOURCE_DIR "/examples/embed", source, fs::copy_options::recursive);
  const fs::path build = dir_->path() / "embed-build";
  std::map<std::string, std::string> env = {{"PATH", "/usr/bin:/bin"}, {"HOME", dir_->path().string()}};
  std::vector<std::string> configure = {"cmake", "-S", source.string(), "-B", build.string(), "-G", "Ninja",
                                        "-DCMAKE_BUILD_TYPE=Release", "-DCMAKE_PREFIX_PATH=" + prefix().string()};
  // A libkiln built with sanitizers (ci/sanitize.sh) needs their runtime loaded first, so the
  // program that links it must link the runtime too.
  if (const std::string sanitizers = KILN_SANITIZE; !sanitizers.empty())
    configure.push_back("-DCMAKE_EXE_LINKER_FLAGS=-fsanitize=" + sanitizers);
  // Through this machine's compiler cache when it has one (HOME moved, so its directory is named).
  if (const ProcessResult ccache = run_process({"sh", "-c", "command -v ccache >/dev/null && ccache --get-config cache_dir"}); ccache.exit_code == 0) {
    env["CCACHE_DIR"] = lines(ccache.out).at(0);
    configure.push_back("-DCMAKE_CXX_COMPILER_LAUNCHER=ccache");
  }
  ProcessResult r = run_clean(configure, env);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  r = run_clean({"cmake", "--build", build.string()}, env);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  // It found kiln in the prefix and nowhere else.
  EXPECT_NE(read_file(build / "CMakeCache.txt").find("kiln_DIR:PATH=" + (prefix() / "lib/cmake/kiln").string()),
            std::string::npos);

  const std::string target = ref("embedded/app:v1");
  r = run_clean({(build / "kiln-embed-example").string(), ref("base/busybox:1"), KILN_HELLO_BINARY, target},
                {{"PATH", "/usr/bin:/bin"}, {"KILN_INSECURE", "true"}, {"SOURCE_DATE_EPOCH", kInstalledEpoch}},
                std::chrono::seconds(120));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const std::string digest = lines(r.out).at(0);
  EXPECT_TRUE(std::regex_match(digest, std::regex("sha256:[0-9a-f]{64}"))) << r.out;
  EXPECT_NE(r.err.find("pushed " + target), std::string::npos) << r.err;

  const oci::Json inspected = oci::Json::parse(run_ok({"skopeo", "inspect", "--tls-verify=false", "docker://" + target}));
  EXPECT_EQ(inspected["Digest"], digest);
  EXPECT_EQ(digest, installed_plugin_build("embedded/plugin")) << "the installed kiln-plugin builds the same image";
  EXPECT_EQ(run_image(target), "hello from kiln (cwd /usr/local/app, argv0 /usr/local/app/main)\n");

  ASSERT_FALSE(fs::exists(prefix() / "bin/kiln-probe")) << "the probe is in libexec, not beside kiln-verify";
  const fs::path junit = dir_->path() / "kiln-verify.xml";
  r = run_clean({(prefix() / "bin/kiln-verify").string(), "--driver", "local", "--image", ref("embedded/app@" + digest),
                 "--insecure", "--binary", KILN_HELLO_BINARY, "--junit", junit.string()},
                // A value that starts with "--" is given as a variable, as a CI step gives it.
                {{"PATH", "/usr/bin:/usr/sbin:/bin:/sbin"}, {"HOME", dir_->path().string()},
                 {"PLUGIN_VERSION_ARGS", "--version"}});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  const std::string report = read_file(junit);
  EXPECT_NE(report.find("binary runs"), std::string::npos) << report;
  EXPECT_EQ(report.find("<failure"), std::string::npos) << report;
  EXPECT_EQ(report.find("<error"), std::string::npos) << report;
}

}  // namespace
}  // namespace kiln::testing
