// The one whole-file read: bounded (a hostile file cannot fill memory), a FIFO or directory
// refused rather than read forever, an absent file left to the caller to explain.
#include "core/read_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "core/error.h"
#include "core/temp_dir.h"

namespace kiln {
namespace {

void write(const std::filesystem::path& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

TEST(ReadFile, ReadsTheWholeFileUpToTheLimit) {
  TempDir dir("read-file-test");
  write(dir.path() / "f", std::string(1000, 'x') + '\0' + "tail");
  EXPECT_EQ(kiln::read_file(dir.path() / "f", 1005, "test file"), std::string(1000, 'x') + '\0' + "tail");
  write(dir.path() / "empty", "");
  EXPECT_EQ(kiln::read_file(dir.path() / "empty", 0, "test file"), "");
}

TEST(ReadFile, AFileOverTheLimitIsRefusedNamingIt) {
  TempDir dir("read-file-test");
  write(dir.path() / "big", std::string(200 * 1024, 'x'));  // several read pieces
  try {
    kiln::read_file(dir.path() / "big", 100 * 1024, "spec file");
    FAIL() << "a file over the limit was read";
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_class(), ExitClass::usage);
    EXPECT_EQ(std::string(e.what()),
              "spec file " + (dir.path() / "big").string() + " is larger than 102400 bytes");
  }
  EXPECT_THROW(kiln::read_file(dir.path() / "big", 200 * 1024 - 1, "spec file"), Error);
  EXPECT_NO_THROW(kiln::read_file(dir.path() / "big", 200 * 1024, "spec file"));
}

TEST(ReadFile, AFifoOrDirectoryIsRefusedWithoutBlocking) {
  TempDir dir("read-file-test");
  const auto fifo = dir.path() / "fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_THROW(kiln::read_file(fifo, 1024, "tags file"), Error);  // opening it would wait for a writer
  EXPECT_THROW(kiln::read_file(dir.path(), 1024, "tags file"), Error);
}

TEST(ReadFile, AnAbsentFileIsNulloptForTheCallerToExplain) {
  TempDir dir("read-file-test");
  EXPECT_EQ(kiln::read_file(dir.path() / "absent", 1024, "x"), std::nullopt);
  EXPECT_EQ(kiln::read_file(dir.path() / "absent" / "below", 1024, "x"), std::nullopt);
}

TEST(ReadFile, KernelFilesThatReportNoSizeAreReadWhole) {
  const auto text = kiln::read_file("/proc/self/status", 1 << 20, "kernel file");
  ASSERT_TRUE(text);
  EXPECT_NE(text->find("Pid:"), std::string::npos);
}

}  // namespace
}  // namespace kiln
