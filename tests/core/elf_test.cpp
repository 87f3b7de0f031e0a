#include "core/elf.h"

#include <elf.h>

#include <fstream>
#include <random>
#include <sstream>

#include <gtest/gtest.h>

#include "tests/support/elf_builder.h"
#include "tests/support/files.h"

namespace kiln {
namespace {
using kiln::testing::read_file;

using testing::ElfLayout;
using testing::ElfSpec;
using testing::make_elf;


void put64le(std::string& bytes, std::size_t offset, std::uint64_t value) {
  for (int i = 0; i < 8; ++i) bytes[offset + i] = static_cast<char>((value >> (8 * i)) & 0xff);
}
void put16le(std::string& bytes, std::size_t offset, std::uint16_t value) {
  bytes[offset] = static_cast<char>(value & 0xff);
  bytes[offset + 1] = static_cast<char>(value >> 8);
}

TEST(ElfDynamic, DynamicBinaryOnThisMachine) {
  const auto info = read_elf_dynamic(std::string_view(read_file("/bin/ls")));
  ASSERT_TRUE(info);
  EXPECT_TRUE(info->complete);
  EXPECT_EQ(info->identity.bits, 64);
  EXPECT_EQ(info->identity.architecture, "amd64");
  EXPECT_EQ(info->interpreter, "/lib64/ld-linux-x86-64.so.2");
  EXPECT_TRUE(info->has_dynamic_segment);
  EXPECT_NE(std::find(info->needed.begin(), info->needed.end(), "libc.so.6"), info->needed.end());
}

TEST(ElfDynamic, StaticBinaryOnThisMachine) {
  const auto info = read_elf_dynamic(std::string_view(read_file("/bin/busybox")));
  ASSERT_TRUE(info);
  EXPECT_TRUE(info->complete);
  EXPECT_EQ(info->interpreter, "");
  EXPECT_TRUE(info->needed.empty());
}

TEST(ElfDynamic, NotElf) {
  EXPECT_EQ(read_elf_dynamic(std::string_view("#!/bin/sh\necho hi\n")), std::nullopt);
  EXPECT_EQ(read_elf_dynamic(std::string_view("")), std::nullopt);
  EXPECT_EQ(read_elf_dynamic(std::string_view("\x7f" "ELF")), std::nullopt);
}

TEST(ElfDynamic, EveryClassAndByteOrder) {
  struct Row {
    int bits;
    bool little_endian;
    std::uint16_t machine;
    const char* architecture;
  };
  for (const Row row : {Row{32, true, EM_386, "386"}, Row{64, false, EM_PPC64, "ppc64"},
                        Row{32, false, EM_MIPS, "mips"}, Row{64, true, EM_AARCH64, "arm64"}}) {
    const ElfSpec spec{.bits = row.bits, .little_endian = row.little_endian, .machine = row.machine,
                       .interpreter = "/lib/ld-linux.so.2", .needed = {"libstdc++.so.6", "libc.so.6"},
                       .rpath = {"/opt/a", "$ORIGIN/lib"}, .runpath = {"/opt/b"}};
    const auto info = read_elf_dynamic(std::string_view(make_elf(spec)));
    ASSERT_TRUE(info) << row.architecture;
    EXPECT_TRUE(info->complete) << row.architecture;
    EXPECT_EQ(info->identity.bits, row.bits);
    EXPECT_EQ(info->identity.little_endian, row.little_endian);
    EXPECT_EQ(info->identity.machine, row.machine);
    EXPECT_EQ(info->identity.architecture, row.architecture);
    EXPECT_EQ(info->interpreter, "/lib/ld-linux.so.2");
    EXPECT_EQ(info->needed, (std::vector<std::string>{"libstdc++.so.6", "libc.so.6"}));
    EXPECT_EQ(info->rpath, (std::vector<std::string>{"/opt/a", "$ORIGIN/lib"}));
    EXPECT_EQ(info->runpath, (std::vector<std::string>{"/opt/b"}));
  }
}

TEST(ElfDynamic, ReadsOnlyHeadersAndStringsOfALargeFile) {
  std::string bytes = make_elf({.interpreter = "/lib64/ld-linux-x86-64.so.2", .needed = {"libc.so.6"}});
  bytes.resize(64 * 1024 * 1024, '\0');  // a large binary: the code and data nobody needs here
  std::uint64_t bytes_read = 0, reads = 0;
  const auto info = read_elf_dynamic([&](std::uint64_t offset, std::uint64_t length) {
    ++reads;
    if (offset >= bytes.size()) return std::string();
    auto part = bytes.substr(offset, length);
    bytes_read += part.size();
    return part;
  });
  ASSERT_TRUE(info);
  EXPECT_EQ(info->needed, (std::vector<std::string>{"libc.so.6"}));
  EXPECT_LT(bytes_read, 16u * 1024);
  EXPECT_LE(reads, 6u);
}

TEST(ElfDynamic, EveryTruncationGivesPartialFactsNeverACrash) {
  ElfLayout layout;
  const std::string full = make_elf({.interpreter = "/lib/ld-musl-x86_64.so.1", .needed = {"libc.musl-x86_64.so.1"}},
                                    &layout);
  for (std::size_t size = 0; size < full.size(); ++size) {
    const auto info = read_elf_dynamic(std::string_view(full).substr(0, size));
    if (size < 20) {
      EXPECT_EQ(info, std::nullopt) << size;
      continue;
    }
    ASSERT_TRUE(info) << size;
    EXPECT_FALSE(info->complete) << size;  // the dynamic segment ends the file: always cut
    if (size > layout.strtab) EXPECT_EQ(info->interpreter, "/lib/ld-musl-x86_64.so.1") << size;
  }
}

TEST(ElfDynamic, HostileHeadersAreRefusedWithoutReadingOutOfBounds) {
  ElfLayout layout;
  const std::string good = make_elf({.interpreter = "/lib64/ld.so", .needed = {"libc.so.6"}}, &layout);
  // Each mutation is applied to a fresh copy; all offsets are those of the 64-bit LE layout.
  const std::vector<std::pair<const char*, std::function<void(std::string&)>>> mutations = {
      {"phoff past the end", [](std::string& b) { put64le(b, 32, 0xffffffffffffff00ULL); }},
      {"phentsize too small", [](std::string& b) { put16le(b, 54, 8); }},
      {"phentsize huge", [](std::string& b) { put16le(b, 54, 0xffff); }},
      {"phnum PN_XNUM", [](std::string& b) { put16le(b, 56, 0xffff); }},
      {"interp offset past the end", [&](std::string& b) { put64le(b, layout.program_headers + 56 + 8, 1ULL << 62); }},
      {"interp size huge", [&](std::string& b) { put64le(b, layout.program_headers + 56 + 32, ~0ULL); }},
      {"dynamic size huge", [&](std::string& b) { put64le(b, layout.program_headers + 112 + 32, ~0ULL); }},
      {"load maps nothing", [&](std::string& b) { put64le(b, layout.program_headers + 32, 0); }},
      {"load offset overflows", [&](std::string& b) { put64le(b, layout.program_headers + 8, ~0ULL - 1); }},
      {"needed index past strsz", [&](std::string& b) { put64le(b, layout.dynamic + 8, 1ULL << 40); }},
      {"strtab address unmapped", [&](std::string& b) { put64le(b, layout.dynamic + 24, 0x10); }},
      {"strsz zero", [&](std::string& b) { put64le(b, layout.dynamic + 40, 0); }},
  };
  for (const auto& [name, mutate] : mutations) {
    std::string bytes = good;
    mutate(bytes);
    const auto info = read_elf_dynamic(std::string_view(bytes));
    ASSERT_TRUE(info) << name;
    EXPECT_FALSE(info->complete) << name;
  }
}

TEST(ElfDynamic, RandomDamageNeverCrashes) {
  const std::string good = make_elf({.bits = 32, .little_endian = false, .machine = EM_ARM,
                                     .interpreter = "/lib/ld-linux-armhf.so.3", .needed = {"a", "b"},
                                     .runpath = {"$ORIGIN"}});
  std::mt19937 random(4);  // fixed seed: a failure reproduces
  for (int round = 0; round < 3000; ++round) {
    std::string bytes = good;
    for (int flips = 0; flips < 4; ++flips)
      bytes[20 + random() % (bytes.size() - 20)] = static_cast<char>(random() & 0xff);
    const auto info = read_elf_dynamic(std::string_view(bytes));
    ASSERT_TRUE(info);  // the identity bytes were left alone
    for (const auto& name : info->needed) EXPECT_LE(name.size(), bytes.size());
  }
}

}  // namespace
}  // namespace kiln
