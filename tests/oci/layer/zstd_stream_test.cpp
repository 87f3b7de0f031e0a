// ZstdStream: the same bytes for any worker count, the same bytes libarchive's zstd filter
// wrote before kiln called libzstd directly (so layer digests and the layer cache stayed
// valid), and a frame the zstd tool reads back.
#include "oci/layer/zstd_stream.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "core/error.h"
#include "core/process.h"
#include "core/temp_dir.h"
#include "oci/layer/archive_handle.h"

namespace kiln::oci {
namespace {

// Repeats (matches across libzstd's job edges) and pseudo-random runs, the same on every run;
// 9 MiB spans several multi-threaded jobs at level 1.
std::string zstd_sample(std::size_t size) {
  std::string out;
  out.reserve(size);
  std::mt19937 random(7);
  while (out.size() < size) {
    out += "kiln zstd line " + std::to_string(out.size() % 1009) + "\n";
    if (out.size() % 5 == 0)
      for (int i = 0; i < 200; ++i) out += static_cast<char>(random());
  }
  out.resize(size);
  return out;
}

std::string zstd(const std::string& input, ZstdStream::Options options, std::size_t piece = 65536) {
  std::string out;
  ZstdStream z(options, [&](const void* data, std::size_t size) { out.append(static_cast<const char*>(data), size); });
  for (std::size_t at = 0; at < input.size(); at += piece) z.write(input.data() + at, std::min(piece, input.size() - at));
  z.finish();
  return out;
}

// What BlobWriter wrote until libarchive was taken out of the zstd path: a "raw" format writer
// with the zstd filter, zstd:threads=N, 1 MiB blocks, no padding.
std::string libarchive_zstd(const std::string& input, int level, int threads) {
  std::string out;
  WriteArchive a(archive_write_new());
  archive_write_set_format_raw(a.get());
  archive_write_add_filter_zstd(a.get());
  const std::string options = "zstd:compression-level=" + std::to_string(level) + ",zstd:threads=" + std::to_string(threads);
  EXPECT_EQ(archive_write_set_options(a.get(), options.c_str()), ARCHIVE_OK);
  archive_write_set_bytes_per_block(a.get(), 1 << 20);
  archive_write_set_bytes_in_last_block(a.get(), 1);
  archive_write_open(a.get(), &out, nullptr, [](struct archive*, void* self, const void* data, size_t size) -> la_ssize_t {
    static_cast<std::string*>(self)->append(static_cast<const char*>(data), size);
    return static_cast<la_ssize_t>(size);
  }, nullptr);
  ArchiveEntry entry(archive_entry_new());
  archive_entry_set_filetype(entry.get(), AE_IFREG);
  archive_entry_set_pathname(entry.get(), "layer.tar");
  archive_write_header(a.get(), entry.get());
  for (std::size_t at = 0; at < input.size(); at += 65536)
    archive_write_data(a.get(), input.data() + at, std::min<std::size_t>(65536, input.size() - at));
  archive_write_close(a.get());
  return out;
}

}  // namespace

TEST(ZstdStream, SameBytesForAnyWorkerCountAndWritePattern) {
  const std::string input = zstd_sample(9u << 20);
  const std::string one = zstd(input, {.level = 1, .workers = 1});
  EXPECT_EQ(zstd(input, {.level = 1, .workers = 2}), one);
  EXPECT_EQ(zstd(input, {.level = 1, .workers = 4}, 1000003), one);
  EXPECT_EQ(zstd(input, {.level = 1, .workers = 8}, 4096), one);
  EXPECT_EQ(zstd(input, {.level = 1, .workers = 0}), one) << "all cores";
  EXPECT_NE(zstd(input, {.level = 3, .workers = 2}), one) << "the level does change the bytes";
}

TEST(ZstdStream, SameBytesAsLibarchivesFilterBefore) {
  for (const std::size_t size : {std::size_t{0}, std::size_t{100000}, std::size_t{4} << 20, std::size_t{9} << 20}) {
    const std::string input = zstd_sample(size);
    for (const int level : {1, 3})
      EXPECT_EQ(zstd(input, {.level = level, .workers = 2}), libarchive_zstd(input, level, 2))
          << size << " bytes, level " << level;
  }
}

TEST(ZstdStream, ZstdToolReadsItBack) {
  TempDir dir("kiln-zstd-test");
  const std::string input = zstd_sample(3u << 20);
  std::ofstream(dir.path() / "blob.zst", std::ios::binary) << zstd(input, {.level = 1, .workers = 2});
  const ProcessResult r = run_process({"zstd", "-d", "-q", "-c", (dir.path() / "blob.zst").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.out == input) << "decompressed " << r.out.size() << " bytes, want " << input.size();
}

TEST(ZstdStream, SinkErrorsReachTheCaller) {
  ZstdStream z({.level = 1, .workers = 2}, [](const void*, std::size_t) { throw_infra("disk full"); });
  const std::string input = zstd_sample(3u << 20);
  EXPECT_THROW(
      {
        z.write(input.data(), input.size());
        z.finish();
      },
      Error);
}

TEST(ZstdStream, RejectsALevelOutOfRange) {
  for (const int level : {0, 20}) {
    try {
      ZstdStream z({.level = level}, [](const void*, std::size_t) {});
      ADD_FAILURE() << level;
    } catch (const Error& e) {
      EXPECT_EQ(e.exit_class(), ExitClass::usage);
      EXPECT_EQ(std::string(e.what()), "zstd compression level " + std::to_string(level) + " is out of range 1-19");
    }
  }
}

}  // namespace kiln::oci
