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

// ---------------------------------------------------------------------------------------------
// Dynamic facts. Every offset, size and address below comes from the file and may be hostile:
// each is checked against what `read` actually returned, and every read has a fixed bound, so
// a crafted or truncated file gives partial facts, never an out-of-bounds access or a huge read.
namespace kiln {
namespace {

constexpr std::uint64_t kMaxProgramHeaderSize = 256;   // real ones are 32 or 56 bytes
constexpr std::uint64_t kMaxInterpreterBytes = 4096;   // PATH_MAX
constexpr std::uint64_t kMaxDynamicBytes = 1 << 20;    // ~65k entries; real ones have < 100
constexpr std::uint64_t kMaxStringBytes = 4096;        // one library name or search path
constexpr std::uint16_t kExtendedProgramHeaderCount = 0xffff;  // PN_XNUM: count lives elsewhere

// Reads unsigned integers of the file's byte order; nullopt when they would not fit in `data`.
class Decoder {
 public:
  explicit Decoder(bool little_endian) : little_endian_(little_endian) {}
  std::optional<std::uint64_t> get(std::string_view data, std::uint64_t offset, unsigned width) const {
    if (offset > data.size() || data.size() - offset < width) return std::nullopt;
    std::uint64_t value = 0;
    for (unsigned i = 0; i < width; ++i) {
      const auto byte = static_cast<unsigned char>(data[offset + (little_endian_ ? width - 1 - i : i)]);
      value = (value << 8) | byte;
    }
    return value;
  }

 private:
  bool little_endian_;
};

struct Segment {
  std::uint64_t type = 0, offset = 0, vaddr = 0, filesz = 0;
};

// Where the 32- and 64-bit layouts differ (elf.h's Elf32_*/Elf64_* field offsets).
struct Layout {
  unsigned word;  // Addr / Off / Xword width
  std::uint64_t phoff_at, phentsize_at, phnum_at;
  std::uint64_t ph_min_size, ph_offset_at, ph_vaddr_at, ph_filesz_at;
  std::uint64_t dyn_size;
};
constexpr Layout kLayout32{4, 28, 42, 44, sizeof(Elf32_Phdr), 4, 8, 16, sizeof(Elf32_Dyn)};
constexpr Layout kLayout64{8, 32, 54, 56, sizeof(Elf64_Phdr), 8, 16, 32, sizeof(Elf64_Dyn)};

std::vector<std::string> split_search_path(const std::string& text) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    const auto colon = text.find(':', start);
    parts.push_back(text.substr(start, colon - start));
    if (colon == std::string::npos) return parts;
    start = colon + 1;
  }
}

class DynamicReader {
 public:
  DynamicReader(const ElfByteReader& read, ElfDynamicInfo& info)
      : read_(read), info_(info), decode_(info.identity.little_endian),
        layout_(info.identity.bits == 64 ? kLayout64 : kLayout32) {}

  void run(std::string_view header) {
    const auto segments = program_headers(header);
    for (const auto& segment : segments) {
      if (segment.type == PT_INTERP && info_.interpreter.empty()) read_interpreter(segment);
      if (segment.type == PT_DYNAMIC && !info_.has_dynamic_segment) read_dynamic(segment, segments);
    }
  }

 private:
  // Reads exactly `length` bytes or marks the facts incomplete and returns what there was.
  std::string read_exact(std::uint64_t offset, std::uint64_t length) {
    std::string bytes = read_(offset, length);
    if (bytes.size() > length) bytes.resize(length);
    if (bytes.size() < length) info_.complete = false;
    return bytes;
  }

  std::vector<Segment> program_headers(std::string_view header) {
    const auto phoff = decode_.get(header, layout_.phoff_at, layout_.word);
    const auto phentsize = decode_.get(header, layout_.phentsize_at, 2);
    const auto phnum = decode_.get(header, layout_.phnum_at, 2);
    if (!phoff || !phentsize || !phnum) {
      info_.complete = false;
      return {};
    }
    if (*phnum == 0) return {};
    if (*phnum == kExtendedProgramHeaderCount || *phentsize < layout_.ph_min_size ||
        *phentsize > kMaxProgramHeaderSize) {
      info_.complete = false;
      return {};
    }
    const std::string table = read_exact(*phoff, *phnum * *phentsize);  // ≤ 65535 × 256 bytes
    std::vector<Segment> segments;
    for (std::uint64_t at = 0; at + *phentsize <= table.size(); at += *phentsize) {
      const std::string_view entry(table.data() + at, *phentsize);
      segments.push_back({.type = *decode_.get(entry, 0, 4),
                          .offset = *decode_.get(entry, layout_.ph_offset_at, layout_.word),
                          .vaddr = *decode_.get(entry, layout_.ph_vaddr_at, layout_.word),
                          .filesz = *decode_.get(entry, layout_.ph_filesz_at, layout_.word)});
    }
    return segments;
  }

  void read_interpreter(const Segment& segment) {
    const std::string bytes = read_exact(segment.offset, std::min(segment.filesz, kMaxInterpreterBytes));
    const auto nul = bytes.find('\0');
    if (nul == std::string::npos && segment.filesz > kMaxInterpreterBytes) info_.complete = false;
    info_.interpreter = bytes.substr(0, nul);
  }

  // The file offset of virtual address `vaddr`, through the PT_LOAD segment that maps it.
  std::optional<std::uint64_t> file_offset(std::uint64_t vaddr, const std::vector<Segment>& segments) const {
    for (const auto& segment : segments) {
      if (segment.type != PT_LOAD || vaddr < segment.vaddr || vaddr - segment.vaddr >= segment.filesz) continue;
      const std::uint64_t delta = vaddr - segment.vaddr;
      if (segment.offset > UINT64_MAX - delta) return std::nullopt;
      return segment.offset + delta;
    }
    return std::nullopt;
  }

  void read_dynamic(const Segment& segment, const std::vector<Segment>& segments) {
    info_.has_dynamic_segment = true;
    const std::string table = read_exact(segment.offset, std::min(segment.filesz, kMaxDynamicBytes));
    std::vector<std::uint64_t> needed, rpath, runpath;
    std::optional<std::uint64_t> strtab, strsz;
    bool terminated = false;
    for (std::uint64_t at = 0; at + layout_.dyn_size <= table.size(); at += layout_.dyn_size) {
      const std::string_view entry(table.data() + at, layout_.dyn_size);
      const std::uint64_t tag = *decode_.get(entry, 0, layout_.word);
      const std::uint64_t value = *decode_.get(entry, layout_.word, layout_.word);
      if (tag == DT_NULL) {
        terminated = true;
        break;
      }
      if (tag == DT_NEEDED) needed.push_back(value);
      if (tag == DT_RPATH) rpath.push_back(value);
      if (tag == DT_RUNPATH) runpath.push_back(value);
      if (tag == DT_STRTAB) strtab = value;
      if (tag == DT_STRSZ) strsz = value;
    }
    if (!terminated) info_.complete = false;
    if (needed.empty() && rpath.empty() && runpath.empty()) return;
    const auto strtab_offset = strtab ? file_offset(*strtab, segments) : std::nullopt;
    if (!strtab_offset) {
      info_.complete = false;
      return;
    }
    const auto string_at = [&](std::uint64_t index) -> std::optional<std::string> {
      if ((strsz && index >= *strsz) || *strtab_offset > UINT64_MAX - index) return std::nullopt;
      const std::uint64_t limit = strsz ? std::min(*strsz - index, kMaxStringBytes) : kMaxStringBytes;
      std::string bytes = read_(*strtab_offset + index, limit);
      const auto nul = bytes.find('\0');
      if (nul == std::string::npos || nul >= limit) return std::nullopt;
      bytes.resize(nul);
      return bytes;
    };
    const auto collect = [&](const std::vector<std::uint64_t>& indices, auto&& add) {
      for (const auto index : indices) {
        if (auto text = string_at(index)) add(std::move(*text));
        else info_.complete = false;
      }
    };
    collect(needed, [&](std::string name) { info_.needed.push_back(std::move(name)); });
    collect(rpath, [&](std::string text) {
      for (auto& dir : split_search_path(text)) info_.rpath.push_back(std::move(dir));
    });
    collect(runpath, [&](std::string text) {
      for (auto& dir : split_search_path(text)) info_.runpath.push_back(std::move(dir));
    });
  }

  const ElfByteReader& read_;
  ElfDynamicInfo& info_;
  Decoder decode_;
  Layout layout_;
};

}  // namespace

std::optional<ElfDynamicInfo> read_elf_dynamic(const ElfByteReader& read) {
  const std::string header = read(0, sizeof(Elf64_Ehdr));
  auto identity = read_elf_identity(std::string_view(header).substr(0, sizeof(Elf64_Ehdr)));
  if (!identity) return std::nullopt;
  ElfDynamicInfo info{.identity = std::move(*identity)};
  DynamicReader(read, info).run(header);
  return info;
}

std::optional<ElfDynamicInfo> read_elf_dynamic(std::string_view data) {
  return read_elf_dynamic([data](std::uint64_t offset, std::uint64_t length) {
    if (offset >= data.size()) return std::string();
    return std::string(data.substr(offset, std::min<std::uint64_t>(length, data.size() - offset)));
  });
}

}  // namespace kiln
