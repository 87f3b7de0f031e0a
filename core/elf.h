#pragma once
// The few facts of an ELF header that decide where a binary can run. Kept in core/ because
// the static probe (which may use core/ only) needs them too.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

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

/// What the dynamic loader reads from a binary before it can run it.
struct ElfDynamicInfo {
  ElfIdentity identity;
  std::string interpreter;           ///< PT_INTERP, empty when there is none
  bool has_dynamic_segment = false;  ///< PT_DYNAMIC present (also true for static-pie)
  std::vector<std::string> needed;   ///< DT_NEEDED, in order
  std::vector<std::string> rpath;    ///< DT_RPATH split at ':'
  std::vector<std::string> runpath;  ///< DT_RUNPATH split at ':'
  /// false when some header, segment or string lay outside the file or was malformed; what
  /// could be read is still filled in.
  bool complete = true;
};

/// Up to `length` bytes of a file from `offset`; fewer (or none) where the file ends or cannot
/// be read. Lets the reader fetch only headers, the dynamic segment and the strings it needs.
using ElfByteReader = std::function<std::string(std::uint64_t offset, std::uint64_t length)>;

/// The interpreter and dynamic entries of an ELF file, reading only the parts it needs (each
/// read bounded). Any input is safe: nothing is read outside what `read` returns. nullopt
/// when it is not ELF.
std::optional<ElfDynamicInfo> read_elf_dynamic(const ElfByteReader& read);
/// The same over bytes held in memory.
std::optional<ElfDynamicInfo> read_elf_dynamic(std::string_view data);

}  // namespace kiln
