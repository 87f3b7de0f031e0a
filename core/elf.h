#pragma once
// The few facts of an ELF header that decide where a binary can run. Kept in core/ because
// the static probe (which may use core/ only) needs them too.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace kiln {

struct ElfIdentity {
  int bits = 0;               ///< 32 or 64
  bool little_endian = true;
  std::uint16_t machine = 0;  ///< e_machine
  /// The OCI/Go architecture name ("amd64", "arm64", "arm", "386", "ppc64le", "s390x",
  /// "riscv64"), or empty when kiln does not know the machine.
  std::string architecture;
};

/// Reads the header of `data`; nullopt when it is not ELF.
std::optional<ElfIdentity> read_elf_identity(std::string_view data);
/// Reads the first bytes of a file; nullopt when it is not ELF (or cannot be read).
std::optional<ElfIdentity> read_elf_identity(const std::filesystem::path& file);

}  // namespace kiln
