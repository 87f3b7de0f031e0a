// Dockerfiles written to exhaust kiln: nesting that overflowed the stack (SIGSEGV), variables
// that double on every line, stages that recurse once each, and sizes and counts without
// end. Each is parsed and interpreted as the auto backend plans a build (no base image read),
// and each must end in a usage error naming the file and line, or in a correct result.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <fstream>

#include "core/error.h"
#include "core/temp_dir.h"
#include "plugin/dockerfile/limits.h"
#include "plugin/native/dockerfile_build.h"
#include "plugin/native/stage_interpreter.h"

namespace kiln::plugin {
namespace {

namespace fs = std::filesystem;
namespace limits = dockerfile_limits;

class HostileDockerfile : public ::testing::Test {
 protected:
  ImageRecipe run(const std::string& text) {
    const Dockerfile df = parse_dockerfile(text, "Dockerfile");
    return interpret(df, BuildInputs{.context = dir_.path(), .ignore = {}, .build_args = {}, .target = {}}, BaseLookup{});
  }
  std::string error_of(const std::string& text) {
    try {
      run(text);
    } catch (const Error& e) {
      EXPECT_EQ(e.exit_class(), ExitClass::usage) << e.what();
      return e.what();
    }
    return "no error";
  }
  TempDir dir_{"kiln-hostile-dockerfile"};
};

std::string nested(int depth) {
  std::string word;
  for (int i = 0; i < depth; ++i) word += "${A:-";
  word += "x";
  word.append(static_cast<std::size_t>(depth), '}');
  return word;
}

std::string env_value(const ImageRecipe& r, const std::string& name) {
  for (const auto& item : r.config.at("Env"))
    if (item.get<std::string>().starts_with(name + "=")) return item.get<std::string>().substr(name.size() + 1);
  return "<unset>";
}

// 40,000 nested ${A:-...} recursed once per level and crashed kiln-plugin with SIGSEGV.
TEST_F(HostileDockerfile, DeepNestingIsRefusedNotACrash) {
  EXPECT_EQ(error_of("FROM scratch\nENV X=" + nested(40'000) + "\n"),
            "Dockerfile:2: variable substitutions nested more than 64 deep");
  EXPECT_EQ(error_of("FROM scratch\nENV X=" + nested(limits::kMaxExpansionDepth + 1) + "\n"),
            "Dockerfile:2: variable substitutions nested more than 64 deep");
  EXPECT_EQ(env_value(run("FROM scratch\nENV X=" + nested(limits::kMaxExpansionDepth) + "\n"), "X"), "x")
      << "as deep as allowed still works";
}

// ENV A=$A$A doubles A on every line: 30 lines would want a gigabyte.
TEST_F(HostileDockerfile, DoublingVariablesStopAtTheWordBound) {
  std::string text = "FROM scratch\nENV A=x\n";
  for (int i = 0; i < 30; ++i) text += "ENV A=$A$A\n";
  // After line 2 + k, A has 2^k bytes: 2^21 is the first over 1 MiB.
  EXPECT_EQ(error_of(text), "Dockerfile:23: a word expands to more than 1048576 bytes");
}

// Each word under the bound, but many of them: the build's total is bounded too.
TEST_F(HostileDockerfile, ManyLargeExpansionsStopAtTheTotalBound) {
  std::string text = "FROM scratch\nENV A=x\n";
  for (int i = 0; i < 19; ++i) text += "ENV A=$A$A\n";  // 512 KiB
  for (int i = 0; i < 200; ++i) text += "ENV B" + std::to_string(i) + "=$A\n";
  const std::string error = error_of(text);
  EXPECT_TRUE(error.starts_with("Dockerfile:")) << error;
  EXPECT_TRUE(error.ends_with(": variable expansion in this Dockerfile produced more than 67108864 bytes in all"))
      << error;
}

// FROM s0 AS s1, FROM s1 AS s2, ...: one level of recursion per stage.
TEST_F(HostileDockerfile, StageChainsAreBounded) {
  std::string text = "FROM scratch AS s0\n";
  for (int i = 1; i < 40'000; ++i) text += "FROM s" + std::to_string(i - 1) + " AS s" + std::to_string(i) + "\n";
  EXPECT_EQ(error_of(text), "Dockerfile:257: more than 256 stages (FROM instructions)");
  std::string longest = "FROM scratch AS s0\nENV DEPTH=0\n";
  for (int i = 1; i < limits::kMaxStages; ++i)
    longest += "FROM s" + std::to_string(i - 1) + " AS s" + std::to_string(i) + "\nENV DEPTH=" + std::to_string(i) + "\n";
  EXPECT_EQ(env_value(run(longest), "DEPTH"), "255") << "the longest chain allowed is interpreted";
}

// "ONBUILD ONBUILD ONBUILD ...": the trigger was parsed (recursively, copying the line) before
// its keyword was checked.
TEST_F(HostileDockerfile, NestedOnbuildIsRefusedAtOnce) {
  std::string line = "ONBUILD ";
  for (int i = 0; i < 40'000; ++i) line += "ONBUILD ";
  EXPECT_EQ(error_of("FROM scratch\n" + line + "RUN true\n"), "Dockerfile:2: ONBUILD isn't allowed as an ONBUILD trigger");
}

TEST_F(HostileDockerfile, SizeLinesAndInstructionsAreBounded) {
  EXPECT_EQ(error_of("FROM scratch\n# " + std::string(limits::kMaxBytes, 'x') + "\n"),
            "Dockerfile: 4194320 bytes, more than the 4194304 a Dockerfile may have");
  std::string blank_lines = "FROM scratch\n";
  for (int i = 0; i < limits::kMaxLines; ++i) blank_lines += "\n";
  EXPECT_EQ(error_of(blank_lines), "Dockerfile:100001: more than 100000 lines");
  std::string instructions = "FROM scratch\n";
  for (int i = 1; i <= limits::kMaxInstructions; ++i) instructions += "LABEL a=b\n";
  EXPECT_EQ(error_of(instructions), "Dockerfile:50001: more than 50000 instructions");
}

TEST_F(HostileDockerfile, DockerignoreIsBounded) {
  auto error_of_ignore = [](const std::string& text) {
    try {
      DockerIgnore::parse(text);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(error_of_ignore(std::string(limits::kMaxDockerignoreBytes + 1, '#')),
            ".dockerignore: 1048577 bytes, more than the 1048576 it may have");
  std::string patterns;
  for (int i = 0; i <= limits::kMaxDockerignoreRules; ++i) patterns += "p" + std::to_string(i) + "\n";
  EXPECT_EQ(error_of_ignore(patterns), ".dockerignore:10001: more than 10000 patterns");
}

// The Dockerfile is read no further than the bound (a 5 MiB file is not read whole), and one
// that never ends (a device) or blocks for ever (a FIFO) is refused before it is opened.
TEST_F(HostileDockerfile, TheDockerfileIsReadWithinItsBound) {
  auto error_loading = [&](const fs::path& dockerfile) {
    try {
      load_dockerfile(DockerfileBuild{.dockerfile = dockerfile, .context = dir_.path(), .build_args = {},
                                      .target_stage = {}, .push = {}});
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  std::ofstream(dir_.path() / "Dockerfile.big") << "FROM scratch\n# " << std::string(5 << 20, 'x') << "\n";
  EXPECT_EQ(error_loading("Dockerfile.big"), "Dockerfile.big: 4194305 bytes, more than the 4194304 a Dockerfile may have");
  EXPECT_EQ(error_loading("/dev/zero"), "setting dockerfile: /dev/zero is not a regular file");
  ASSERT_EQ(::mkfifo((dir_.path() / "fifo").c_str(), 0600), 0);
  EXPECT_EQ(error_loading("fifo"), "setting dockerfile: " + (dir_.path() / "fifo").string() + " is not a regular file");
}

}  // namespace
}  // namespace kiln::plugin
