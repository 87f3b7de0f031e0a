#include "core/elf.h"

#include <elf.h>

#include <fstream>

namespace kiln {
namespace {

std::string architecture_of(std::uint16_t machine, int bits, bool little_endian) {
  switch (machine) {
    case EM_X86_64: return "amd64";
    case EM_386: return "386";
    case EM_AARCH64: return "arm64";
    case EM_ARM: return "arm";
    case EM_PPC64: return little_endian ? "ppc64le" : "ppc64";
    case EM_S390: return bits == 64 ? "s390x" : "s390";
    case EM_RISCV: return bits == 64 ? "riscv64" : "riscv32";
    case EM_MIPS: return bits == 64 ? (little_endian ? "mips64le" : "mips64") : (little_endian ? "mipsle" : "mips");
    case EM_LOONGARCH: return "loong64";
    default: return "";
  }
}

}  // namespace

std::optional<ElfIdentity> read_elf_identity(std::string_view data) {
  if (data.size() < 20 || data.substr(0, 4) != std::string_view(ELFMAG, SELFMAG)) return std::nullopt;
  ElfIdentity id;
  const auto cls = static_cast<unsigned char>(data[EI_CLASS]);
  const auto enc = static_cast<unsigned char>(data[EI_DATA]);
  if ((cls != ELFCLASS32 && cls != ELFCLASS64) || (enc != ELFDATA2LSB && enc != ELFDATA2MSB)) return std::nullopt;
  id.bits = cls == ELFCLASS64 ? 64 : 32;
  id.little_endian = enc == ELFDATA2LSB;
  // e_machine sits at offset 18 in both classes.
  const auto b0 = static_cast<unsigned char>(data[18]), b1 = static_cast<unsigned char>(data[19]);
  id.machine = id.little_endian ? static_cast<std::uint16_t>(b0 | (b1 << 8)) : static_cast<std::uint16_t>((b0 << 8) | b1);
  id.architecture = architecture_of(id.machine, id.bits, id.little_endian);
  return id;
}

std::optional<ElfIdentity> read_elf_identity(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  char header[64] = {};
  in.read(header, sizeof header);
  return read_elf_identity(std::string_view(header, static_cast<std::size_t>(in.gcount())));
}

}  // namespace kiln
