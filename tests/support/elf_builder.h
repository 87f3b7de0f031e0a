#pragma once
// Minimal ELF files made byte by byte, for the classes, byte orders and machines this machine
// has no binaries of (32-bit, big-endian, arm64) and for damaged headers. The layout is what a
// linker writes: headers, then one PT_LOAD mapping the whole file at `load_address`, PT_INTERP
// and PT_DYNAMIC pointing into it, and DT_STRTAB given as a virtual address.
#include <cstdint>
#include <string>
#include <vector>

namespace kiln::testing {

struct ElfSpec {
  int bits = 64;
  bool little_endian = true;
  std::uint16_t machine = 62;  // EM_X86_64
  std::string interpreter;     // PT_INTERP when not empty
  std::vector<std::string> needed;
  std::vector<std::string> rpath;    // one DT_RPATH, joined with ':'
  std::vector<std::string> runpath;  // one DT_RUNPATH, joined with ':'
  bool dynamic_segment = true;       // PT_DYNAMIC (needed for any DT_* entry)
  std::uint64_t load_address = 0x400000;
};

/// Offsets inside the file make_elf returned, for tests that damage one part.
struct ElfLayout {
  std::uint64_t program_headers = 0;
  std::uint64_t interpreter = 0;
  std::uint64_t strtab = 0;
  std::uint64_t dynamic = 0;
  std::uint64_t size = 0;
};

std::string make_elf(const ElfSpec& spec, ElfLayout* layout = nullptr);

}  // namespace kiln::testing
