#include "plugin/settings_env_file.h"

#include <gtest/gtest.h>

#include <fstream>

#include "core/error.h"
#include "core/temp_dir.h"

namespace kiln::plugin {
namespace {

using Vars = std::vector<std::pair<std::string, std::string>>;

class EnvFile : public ::testing::Test {
 protected:
  std::filesystem::path write(const std::string& text) {
    const auto path = dir_.path() / ".env";
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }
  std::string error_of(const std::string& text) {
    try {
      read_env_file(write(text));
    } catch (const Error& e) {
      EXPECT_EQ(e.exit_class(), ExitClass::usage);
      return e.what();
    }
    return "no error";
  }
  TempDir dir_{"kiln-env-file"};
};

TEST_F(EnvFile, ReadsTheDotenvForms) {
  const auto path = write("# settings for the build\n"
                          "PLUGIN_TAGS=1.0,latest\n"
                          "export PLUGIN_CACHE=true\n"
                          "\n"
                          "  SPACED = padded value   # a comment\n"
                          "SINGLE='keeps $HOME and \\n # as is'\n"
                          "DOUBLE=\"line\\none \\\"q\\\"\" # after\n"
                          "YAML_STYLE: colon\n"
                          "EMPTY=\n"
                          "HASH=a#b\n"
                          "dotted.name=1\r\n");
  EXPECT_EQ(read_env_file(path), (Vars{{"PLUGIN_TAGS", "1.0,latest"},
                                       {"PLUGIN_CACHE", "true"},
                                       {"SPACED", "padded value"},
                                       {"SINGLE", "keeps $HOME and \\n # as is"},
                                       {"DOUBLE", "line\none \"q\""},
                                       {"YAML_STYLE", "colon"},
                                       {"EMPTY", ""},
                                       {"HASH", "a#b"},
                                       {"dotted.name", "1"}}));
}

TEST_F(EnvFile, ErrorsNameTheFileAndLine) {
  const std::string file = (dir_.path() / ".env").string();
  EXPECT_EQ(error_of("A=1\n=value\n"), "setting env_file: " + file + ":2: expected NAME=value");
  EXPECT_EQ(error_of("A=1\nB=2\nJUST_A_NAME\n"), "setting env_file: " + file + ":3: expected NAME=value after JUST_A_NAME");
  EXPECT_EQ(error_of("A=\"open\n"), "setting env_file: " + file + ":1: the value's closing \" is missing (values are one line)");
  EXPECT_EQ(error_of("A='x' y\n"), "setting env_file: " + file + ":1: unexpected text after the quoted value");
}

TEST_F(EnvFile, MissingFileIsRefused) {
  try {
    read_env_file(dir_.path() / "absent.env");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_class(), ExitClass::usage);
    EXPECT_EQ(std::string(e.what()), "setting env_file: " + (dir_.path() / "absent.env").string() +
                                         " does not exist or is not a file");
  }
}

// A hostile or mistaken env_file (a log, an image) is refused by size before it is read.
TEST_F(EnvFile, OversizedFileIsRefusedUnread) {
  const auto path = dir_.path() / "big.env";
  {
    std::ofstream out(path, std::ios::binary);
    const std::string line = "A=" + std::string(1022, 'x') + "\n";
    for (std::uintmax_t written = 0; written <= kMaxEnvFileBytes; written += line.size()) out << line;
  }
  try {
    read_env_file(path);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("is larger than 1048576 bytes"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace kiln::plugin
