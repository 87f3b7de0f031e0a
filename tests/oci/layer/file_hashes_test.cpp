// FileHashes: a hash started early is the file's hash, a file rewritten since is hashed again,
// and an unreadable file is named when the hash is asked for.
#include "oci/layer/file_hashes.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "core/error.h"
#include "core/temp_dir.h"
#include "oci/sha256.h"

namespace kiln::oci {

TEST(FileHashes, StartedHashIsTheContentHash) {
  TempDir dir("kiln-hashes-test");
  const auto file = dir.path() / "main";
  const std::string content(3u << 20, 'k');
  std::ofstream(file, std::ios::binary) << content;
  FileHashes hashes;
  hashes.start(file);
  hashes.start(file);  // once is enough
  EXPECT_EQ(hashes.get(file), Sha256::of(content));
  EXPECT_EQ(hash_file_content(file), Sha256::of(content));
  const auto other = dir.path() / "other";
  std::ofstream(other, std::ios::binary) << "never started";
  EXPECT_EQ(hashes.get(other), Sha256::of("never started")) << "never started is hashed on the spot too";
}

// ready() never waits: false for a file never started, true once the hash is there.
TEST(FileHashes, ReadyTellsWithoutWaiting) {
  TempDir dir("kiln-hashes-test");
  const auto file = dir.path() / "main";
  std::ofstream(file, std::ios::binary) << "content";
  FileHashes hashes;
  EXPECT_FALSE(hashes.ready(file)) << "never started";
  hashes.start(file);
  EXPECT_EQ(hashes.get(file), Sha256::of("content"));
  EXPECT_TRUE(hashes.ready(file));

  FileHashes remembered(dir.path() / "memo");
  remembered.start(file);
  remembered.get(file);  // writes the memo
  FileHashes next_build(dir.path() / "memo");
  next_build.start(file);
  EXPECT_TRUE(next_build.ready(file)) << "a remembered hash is ready at once";
}

TEST(FileHashes, ARewrittenFileIsHashedAgain) {
  TempDir dir("kiln-hashes-test");
  const auto file = dir.path() / "main";
  std::ofstream(file, std::ios::binary) << "version 1";
  FileHashes hashes;
  hashes.start(file);
  EXPECT_EQ(hashes.get(file), Sha256::of("version 1"));
  std::ofstream(file, std::ios::binary) << "version 2, longer";
  EXPECT_EQ(hashes.get(file), Sha256::of("version 2, longer"));
}

TEST(FileHashes, AMissingFileIsNamed) {
  TempDir dir("kiln-hashes-test");
  FileHashes hashes;
  hashes.start(dir.path() / "missing");
  try {
    hashes.get(dir.path() / "missing");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_class(), ExitClass::usage);
    EXPECT_EQ(std::string(e.what()), "cannot read " + (dir.path() / "missing").string() + ": No such file or directory");
  }
}

namespace {

// What an earlier build (another process) leaves behind: the file's hash, remembered in `memo`.
Digest hash_in_an_earlier_build(const std::filesystem::path& file, const std::filesystem::path& memo) {
  FileHashes earlier(memo);
  earlier.start(file);
  return earlier.get(file);
}

timespec ctime_of(const std::filesystem::path& file) {
  struct stat st {};
  ::stat(file.c_str(), &st);
  return st.st_ctim;
}

}  // namespace

// The memo is what lets an unchanged rebuild skip reading its binary: a second process with the
// same file (same stat identity) takes the remembered hash instead of reading the content.
TEST(FileHashes, AnUnchangedFileIsNotReadAgain) {
  TempDir dir("kiln-hashes-test");
  const auto file = dir.path() / "main", memo = dir.path() / "memo";
  std::ofstream(file, std::ios::binary) << "version 1";
  EXPECT_EQ(hash_in_an_earlier_build(file, memo), Sha256::of("version 1"));
  std::vector<std::filesystem::path> entries(std::filesystem::directory_iterator(memo), {});
  ASSERT_EQ(entries.size(), 1u);
  // Plant another hash under the same identity: only a reader that trusts the memo returns it.
  std::ofstream(entries[0]) << Sha256::of("planted").to_string() << "\n";
  const auto memo_written = std::filesystem::last_write_time(entries[0]);
  FileHashes second(memo);
  second.start(file);
  EXPECT_EQ(second.get(file), Sha256::of("planted"));
  EXPECT_EQ(std::filesystem::last_write_time(entries[0]), memo_written) << "a remembered hash is not written back";
}

TEST(FileHashes, ARewriteWithItsOldMtimeIsStillHashedAgain) {
  TempDir dir("kiln-hashes-test");
  const auto file = dir.path() / "main", memo = dir.path() / "memo";
  std::ofstream(file, std::ios::binary) << "version 1";
  const auto mtime = std::filesystem::last_write_time(file);
  EXPECT_EQ(hash_in_an_earlier_build(file, memo), Sha256::of("version 1"));
  const timespec before = ctime_of(file);
  std::ofstream(file, std::ios::binary) << "version 2";  // same size
  std::filesystem::last_write_time(file, mtime);          // and the old mtime: only ctime moved
  const timespec after = ctime_of(file);
  ASSERT_TRUE(before.tv_sec != after.tv_sec || before.tv_nsec != after.tv_nsec)
      << "this kernel's ctime did not move within the test: the identity cannot tell the rewrite";
  FileHashes second(memo);
  second.start(file);
  EXPECT_EQ(second.get(file), Sha256::of("version 2"));
  EXPECT_EQ(FileHashes().get(file), Sha256::of("version 2"));
}

TEST(FileHashes, ADamagedMemoOnlyCostsAHash) {
  TempDir dir("kiln-hashes-test");
  const auto file = dir.path() / "main", memo = dir.path() / "memo";
  std::ofstream(file, std::ios::binary) << "content";
  hash_in_an_earlier_build(file, memo);
  for (const auto& entry : std::filesystem::directory_iterator(memo)) std::ofstream(entry.path()) << "garbage";
  FileHashes second(memo);
  second.start(file);
  EXPECT_EQ(second.get(file), Sha256::of("content"));
}

}  // namespace kiln::oci
