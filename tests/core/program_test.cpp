#include "core/program.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace kiln {
namespace {

class ChildExitError final : public Error {
 public:
  explicit ChildExitError(int code) : Error(ExitClass::infra, "child failed"), code_(code) {}
  int exit_code() const noexcept override { return code_; }

 private:
  int code_;
};

TEST(RunMain, ReturnsTheBodysCode) { EXPECT_EQ(run_main([] { return 0; }), 0); }

TEST(RunMain, MapsEachErrorToItsExitClass) {
  EXPECT_EQ(run_main([]() -> int { throw_usage("bad setting"); }), 2);
  EXPECT_EQ(run_main([]() -> int { throw_infra("registry down"); }), 3);
  EXPECT_EQ(run_main([]() -> int { throw std::runtime_error("unexpected"); }), 3);
}

TEST(RunMain, PassesOnAChildsOwnExitCode) {
  EXPECT_EQ(run_main([]() -> int { throw ChildExitError(42); }), 42);
}

TEST(RunMain, PrintsOneErrorLine) {
  ::testing::internal::CaptureStderr();
  run_main([]() -> int { throw_usage("setting repo: missing"); });
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "error: setting repo: missing\n");
}

const SettingsTable& table() {
  static const SettingsTable t{{.name = "log_level", .default_value = "info"}};
  return t;
}

ProgramText text() {
  return {"kiln-test", [] { return std::string("usage: kiln-test\n"); }, [] { return std::string("| setting |\n"); }};
}

std::string answer(const std::vector<std::string>& args, bool* answered) {
  std::vector<std::string> warnings;
  const Settings settings = Settings::load(table(), Env{}, args, &warnings);
  ::testing::internal::CaptureStdout();
  *answered = answer_informational_request(settings, text(), warnings);
  return ::testing::internal::GetCapturedStdout();
}

TEST(AnswerInformationalRequest, AnswersHelpVersionAndReference) {
  bool answered = false;
  EXPECT_EQ(answer({"--help"}, &answered), "usage: kiln-test\n");
  EXPECT_TRUE(answered);
  const std::string version = answer({"--version"}, &answered);
  EXPECT_TRUE(version.starts_with("kiln-test ") && version.ends_with("\n") && version.size() > 11) << version;
  EXPECT_TRUE(answered);
  EXPECT_EQ(answer({"--settings-reference"}, &answered), "| setting |\n");
  EXPECT_TRUE(answered);
}

TEST(AnswerInformationalRequest, LetsTheProgramWorkOtherwise) {
  bool answered = true;
  EXPECT_EQ(answer({}, &answered), "");
  EXPECT_FALSE(answered);
}

}  // namespace
}  // namespace kiln
