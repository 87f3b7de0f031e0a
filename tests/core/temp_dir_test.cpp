#include "core/temp_dir.h"

#include <gtest/gtest.h>

#include <fstream>

namespace kiln {

// The directory and everything in it disappears with the object, even when it is not empty.
TEST(TempDir, RemovesItsContents) {
  std::filesystem::path kept;
  {
    TempDir dir("kiln-test");
    kept = dir.path();
    ASSERT_TRUE(std::filesystem::is_directory(kept));
    std::filesystem::create_directories(kept / "a/b");
    std::ofstream(kept / "a/b/file") << "x";
  }
  EXPECT_FALSE(std::filesystem::exists(kept));
}

}  // namespace kiln
