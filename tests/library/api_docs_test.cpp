// The API reference is generated from the public headers (ci/apidocs.sh, Doxygen), and a public
// symbol without a comment fails the generation: the reference cannot silently lose a function.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/process.h"
#include "core/temp_dir.h"
#include "tests/support/files.h"

namespace kiln::testing {
namespace {

namespace fs = std::filesystem;

ProcessResult apidocs(const fs::path& out, const std::map<std::string, std::string>& env = {}) {
  ProcessOptions options;
  options.extra_env = env;
  options.timeout = std::chrono::seconds(120);
  return run_process({KILN_SOURCE_DIR "/ci/apidocs.sh", out.string()}, options);
}

TEST(ApiDocs, TheReferenceIsGeneratedFromThePublicHeaders) {
  TempDir out("kiln-apidocs");
  const ProcessResult r = apidocs(out.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string build = read_file(out.path() / "html/build_8h.html");
  EXPECT_NE(build.find("build_image"), std::string::npos);
  EXPECT_NE(build.find("Builds the image and pushes it to every target"), std::string::npos);
  EXPECT_TRUE(fs::exists(out.path() / "html/verify_8h.html"));
  EXPECT_TRUE(fs::exists(out.path() / "html/classkiln_1_1CancellationToken.html"));
  EXPECT_FALSE(fs::exists(out.path() / "html/structkiln_1_1detail_1_1CancellationState.html")) << "internal";
}

TEST(ApiDocs, AnUndocumentedPublicSymbolFailsTheGeneration) {
  TempDir dir("kiln-apidocs-undocumented");
  fs::copy(KILN_SOURCE_DIR "/library/include", dir.path() / "include", fs::copy_options::recursive);
  std::ofstream(dir.path() / "include/kiln/build.h", std::ios::app)
      << "namespace kiln {\nKILN_API int forgotten_function(int x);\n}\n";
  const ProcessResult r = apidocs(dir.path() / "out", {{"KILN_APIDOCS_HEADERS", (dir.path() / "include").string()}});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("build.h"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("forgotten_function(int x) (function) of namespace kiln is not documented"), std::string::npos)
      << r.err;
}

}  // namespace
}  // namespace kiln::testing
