#include "verify/spec/file_mode.h"

#include <gtest/gtest.h>

namespace kiln::verify {
namespace {

using Type = inspect::FileStat::Type;

// The strings Go's os.FileMode.String() gives for what tar headers hold.
TEST(GoFileMode, EveryTypeAndSpecialBit) {
  const struct {
    Type type;
    std::uint32_t mode;
    const char* expected;
  } rows[] = {
      {Type::file, 0755, "-rwxr-xr-x"},
      {Type::file, 0644, "-rw-r--r--"},
      {Type::file, 0, "----------"},
      {Type::hardlink, 0644, "-rw-r--r--"},  // tar gives a hard link no type bit
      {Type::directory, 0755, "drwxr-xr-x"},
      {Type::directory, 01777, "dtrwxrwxrwx"},  // /tmp
      {Type::directory, 02775, "dgrwxrwxr-x"},
      {Type::symlink, 0777, "Lrwxrwxrwx"},
      {Type::file, 04755, "urwxr-xr-x"},  // not ls's -rwsr-xr-x
      {Type::file, 02755, "grwxr-xr-x"},
      {Type::file, 07755, "ugtrwxr-xr-x"},
      {Type::char_device, 0666, "Dcrw-rw-rw-"},
      {Type::block_device, 0660, "Drw-rw----"},
      {Type::fifo, 0644, "prw-r--r--"},
      {Type::socket, 0755, "Srwxr-xr-x"},
  };
  for (const auto& row : rows) {
    EXPECT_EQ(go_file_mode(row.type, row.mode), row.expected) << file_type_name(row.type) << " " << octal_mode(row.mode);
    EXPECT_TRUE(is_go_file_mode(row.expected)) << row.expected;
  }
}

TEST(GoFileMode, RejectsWhatGoNeverWrites) {
  for (const char* bad : {"rwxr-xr-x", "-rwsr-xr-x", "drwxr-xr-", "0755", "", "-rwxr-xr-xx", "xrwxr-xr-x"}) {
    EXPECT_FALSE(is_go_file_mode(bad)) << bad;
  }
}

TEST(OctalMode, ParsesAndFormats) {
  EXPECT_EQ(parse_octal_mode("0755"), 0755u);
  EXPECT_EQ(parse_octal_mode("755"), 0755u);
  EXPECT_EQ(parse_octal_mode("04755"), 04755u);
  for (const char* bad : {"75", "0789", "17777", "rwx", "-755"}) EXPECT_EQ(parse_octal_mode(bad), std::nullopt) << bad;
  EXPECT_EQ(octal_mode(0755), "0755");
  EXPECT_EQ(octal_mode(01777), "1777");
  EXPECT_EQ(octal_mode(0100644), "0644");  // only permission and special bits
}

TEST(FileTypeName, RoundTrips) {
  for (Type type : {Type::file, Type::directory, Type::symlink, Type::hardlink, Type::char_device, Type::block_device,
                    Type::fifo, Type::socket}) {
    EXPECT_EQ(parse_file_type(file_type_name(type)), type);
  }
  EXPECT_EQ(parse_file_type("dir"), std::nullopt);
}

}  // namespace
}  // namespace kiln::verify
