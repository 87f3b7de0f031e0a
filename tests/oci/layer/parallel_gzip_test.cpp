#include "oci/layer/parallel_gzip.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/process.h"
#include "core/temp_dir.h"

namespace kiln::oci {
namespace {

namespace fs = std::filesystem;

// Text with repeats (compressible, with matches reaching across block edges) and a
// pseudo-random run (incompressible), the same on every run.
std::string sample(std::size_t size) {
  std::string out;
  out.reserve(size);
  std::mt19937 random(42);
  while (out.size() < size) {
    out += "kiln layer line " + std::to_string(out.size() % 977) + "\n";
    if (out.size() % 7 == 0)
      for (int i = 0; i < 300; ++i) out += static_cast<char>(random());
  }
  out.resize(size);
  return out;
}

// Compresses `input`, written in pieces of `piece` bytes.
std::string gzip(const std::string& input, ParallelGzip::Options options, std::size_t piece = 4096) {
  std::string out;
  ParallelGzip gz(options, [&](const void* data, std::size_t size) { out.append(static_cast<const char*>(data), size); });
  for (std::size_t at = 0; at < input.size(); at += piece) gz.write(input.data() + at, std::min(piece, input.size() - at));
  gz.finish();
  return out;
}

// zlib's own gunzip (windowBits 16 + 15: gzip wrapper, CRC and ISIZE checked).
std::string gunzip(const std::string& blob) {
  z_stream z{};
  EXPECT_EQ(inflateInit2(&z, 16 + 15), Z_OK);
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(blob.data()));
  z.avail_in = static_cast<uInt>(blob.size());
  std::string out;
  char buffer[1 << 16];
  int r = Z_OK;
  while (r == Z_OK) {
    z.next_out = reinterpret_cast<Bytef*>(buffer);
    z.avail_out = sizeof buffer;
    r = inflate(&z, Z_NO_FLUSH);
    out.append(buffer, sizeof buffer - z.avail_out);
  }
  EXPECT_EQ(r, Z_STREAM_END) << (z.msg ? z.msg : "");
  EXPECT_EQ(z.avail_in, 0u) << "bytes after the gzip member";
  inflateEnd(&z);
  return out;
}

TEST(ParallelGzip, SameBytesForAnyThreadCount) {
  const std::string input = sample(300 * 1000);
  for (std::size_t block : {std::size_t{1000}, std::size_t{40000}, std::size_t{1} << 20}) {
    const std::string one = gzip(input, {.level = 1, .threads = 1, .block_size = block});
    EXPECT_EQ(gzip(input, {.level = 1, .threads = 2, .block_size = block}), one) << block;
    EXPECT_EQ(gzip(input, {.level = 1, .threads = 8, .block_size = block}), one) << block;
    // Nor does the way the caller slices its writes change anything.
    EXPECT_EQ(gzip(input, {.level = 1, .threads = 8, .block_size = block}, 1), one) << block;
    EXPECT_EQ(gzip(input, {.level = 1, .threads = 3, .block_size = block}, 100000), one) << block;
  }
}

// Block edges are where a pigz-style writer goes wrong: empty input, one byte, exactly one
// block, one block and a byte, several whole blocks.
TEST(ParallelGzip, RoundTripsAtBlockEdges) {
  constexpr std::size_t kBlock = 4096;
  for (std::size_t size : {std::size_t{0}, std::size_t{1}, kBlock - 1, kBlock, kBlock + 1, 5 * kBlock, 5 * kBlock + 7}) {
    for (int level : {1, 6, 9}) {
      const std::string input = sample(size);
      const std::string blob = gzip(input, {.level = level, .threads = 2, .block_size = kBlock}, 1000);
      EXPECT_EQ(gunzip(blob), input) << size << " bytes, level " << level;
    }
  }
}

// RFC 1952: ID1 ID2 CM FLG MTIME(4) XFL OS; then CRC-32 and ISIZE, little-endian.
TEST(ParallelGzip, HeaderAndTrailerAreFixed) {
  const std::string input = sample(10000);
  const std::string blob = gzip(input, {.level = 1, .threads = 2, .block_size = 3000});
  ASSERT_GE(blob.size(), 18u);
  EXPECT_EQ(blob.substr(0, 10), std::string("\x1f\x8b\x08\x00\x00\x00\x00\x00\x04\x03", 10));
  const auto le32 = [&](std::size_t at) {
    std::uint32_t v = 0;
    for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(blob[at + static_cast<std::size_t>(i)]);
    return v;
  };
  EXPECT_EQ(le32(blob.size() - 8), crc32(0, reinterpret_cast<const Bytef*>(input.data()), static_cast<uInt>(input.size())));
  EXPECT_EQ(le32(blob.size() - 4), input.size());
}

// The dictionary keeps the ratio close to one long deflate stream.
TEST(ParallelGzip, DictionaryKeepsTheRatio) {
  const std::string input = sample(2 << 20);
  const std::size_t blocks = gzip(input, {.level = 6, .threads = 2, .block_size = 64 * 1024}).size();
  uLongf single = compressBound(static_cast<uLong>(input.size()));
  std::vector<Bytef> out(single);
  ASSERT_EQ(compress2(out.data(), &single, reinterpret_cast<const Bytef*>(input.data()), input.size(), 6), Z_OK);
  EXPECT_LT(static_cast<double>(blocks), 1.02 * static_cast<double>(single));
}

// The real gzip accepts it (gzip -t) and gets the bytes back (zcat).
TEST(ParallelGzip, GzipToolAcceptsIt) {
  TempDir dir("kiln-pgzip-test");
  const std::string input = sample(3 << 20);
  const fs::path blob = dir.path() / "data.gz";
  std::ofstream(blob, std::ios::binary) << gzip(input, {.level = 1, .threads = 2, .block_size = 1 << 20});
  const ProcessResult test = run_process({"gzip", "-t", blob.string()}, {});
  EXPECT_EQ(test.exit_code, 0) << test.err;
  const ProcessResult cat = run_process({"zcat", blob.string()}, {});
  EXPECT_EQ(cat.exit_code, 0) << cat.err;
  EXPECT_TRUE(cat.out == input) << "zcat gave " << cat.out.size() << " bytes, want " << input.size();
}

TEST(ParallelGzip, SinkErrorsReachTheCaller) {
  ParallelGzip gz({.level = 1, .threads = 2, .block_size = 1000},
                  [](const void*, std::size_t) { throw_infra("disk full"); });
  const std::string input = sample(100000);
  try {
    gz.write(input.data(), input.size());
    gz.finish();
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "disk full");
  }
  // A half-written stream is not resumed as if nothing had happened.
  EXPECT_THROW(gz.finish(), Error);
}

TEST(ParallelGzip, RejectsALevelOutOfRange) {
  try {
    ParallelGzip gz({.level = 0, .threads = 1}, [](const void*, std::size_t) {});
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_class(), ExitClass::usage);
    EXPECT_STREQ(e.what(), "gzip compression level 0 is out of range 1-9");
  }
}

}  // namespace
}  // namespace kiln::oci
