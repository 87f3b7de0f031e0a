#include "core/atomic_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "core/error.h"
#include "core/temp_dir.h"

namespace kiln {

TEST(AtomicFile, ReplacesContentWithTheGivenMode) {
  TempDir dir("kiln-atomic-test");
  const auto path = dir.path() / "config.json";
  std::ofstream(path) << "old content that is longer";
  write_file_atomically(path, "{}", 0600);
  std::ifstream in(path);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), "{}");
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  write_file_atomically(dir.path() / "digest", "sha256:x");
  ASSERT_EQ(::stat((dir.path() / "digest").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0644u);
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()), {}), 2) << "no temporary file left";
}

TEST(AtomicFile, MissingDirectoryIsAnInfraErrorNamingThePath) {
  try {
    write_file_atomically("/nonexistent-dir/x", "y");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_class(), ExitClass::infra);
    EXPECT_STREQ(e.what(), "cannot create /nonexistent-dir/x: No such file or directory");
  }
}

}  // namespace kiln
