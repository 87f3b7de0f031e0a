#include "tests/support/elf_builder.h"

#include <elf.h>

namespace kiln::testing {
namespace {

class Writer {
 public:
  explicit Writer(bool little_endian) : little_endian_(little_endian) {}
  void put(std::uint64_t value, unsigned width) {
    for (unsigned i = 0; i < width; ++i) {
      const unsigned shift = 8 * (little_endian_ ? i : width - 1 - i);
      bytes_ += static_cast<char>((value >> shift) & 0xff);
    }
  }
  void put_at(std::uint64_t offset, std::uint64_t value, unsigned width) {
    Writer patch(little_endian_);
    patch.put(value, width);
    bytes_.replace(offset, width, patch.bytes_);
  }
  void raw(const std::string& data) { bytes_ += data; }
  std::uint64_t size() const { return bytes_.size(); }
  std::string take() && { return std::move(bytes_); }

 private:
  bool little_endian_;
  std::string bytes_;
};

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& part : parts) out += (out.empty() ? "" : ":") + part;
  return out;
}

}  // namespace

std::string make_elf(const ElfSpec& spec, ElfLayout* layout) {
  const bool is64 = spec.bits == 64;
  const unsigned word = is64 ? 8 : 4;
  const std::uint64_t ehsize = is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr);
  const std::uint64_t phentsize = is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
  const std::uint64_t phnum = 1 + (spec.interpreter.empty() ? 0 : 1) + (spec.dynamic_segment ? 1 : 0);

  // String table: "\0" then every name, remembering each offset.
  std::string strtab(1, '\0');
  const auto add_string = [&](const std::string& text) {
    const auto offset = strtab.size();
    strtab += text + '\0';
    return offset;
  };
  std::vector<std::pair<std::uint64_t, std::uint64_t>> dynamic;  // tag, value
  for (const auto& name : spec.needed) dynamic.emplace_back(DT_NEEDED, add_string(name));
  if (!spec.rpath.empty()) dynamic.emplace_back(DT_RPATH, add_string(join(spec.rpath)));
  if (!spec.runpath.empty()) dynamic.emplace_back(DT_RUNPATH, add_string(join(spec.runpath)));

  ElfLayout at;
  at.program_headers = ehsize;
  at.interpreter = ehsize + phnum * phentsize;
  const std::string interp = spec.interpreter.empty() ? "" : spec.interpreter + '\0';
  at.strtab = at.interpreter + interp.size();
  at.dynamic = (at.strtab + strtab.size() + 7) / 8 * 8;
  dynamic.emplace_back(DT_STRTAB, spec.load_address + at.strtab);
  dynamic.emplace_back(DT_STRSZ, strtab.size());
  dynamic.emplace_back(DT_NULL, 0);
  const std::uint64_t dynamic_size = dynamic.size() * 2 * word;
  at.size = at.dynamic + dynamic_size;

  Writer out(spec.little_endian);
  out.raw(std::string(ELFMAG, SELFMAG));
  out.put(is64 ? ELFCLASS64 : ELFCLASS32, 1);
  out.put(spec.little_endian ? ELFDATA2LSB : ELFDATA2MSB, 1);
  out.put(EV_CURRENT, 1);
  out.raw(std::string(EI_NIDENT - 7, '\0'));
  out.put(ET_DYN, 2);
  out.put(spec.machine, 2);
  out.put(EV_CURRENT, 4);
  out.put(0, word);                 // e_entry
  out.put(at.program_headers, word);  // e_phoff
  out.put(0, word);                 // e_shoff
  out.put(0, 4);                    // e_flags
  out.put(ehsize, 2);
  out.put(phentsize, 2);
  out.put(phnum, 2);
  out.put(0, 2);  // e_shentsize
  out.put(0, 2);  // e_shnum
  out.put(0, 2);  // e_shstrndx

  const auto program_header = [&](std::uint32_t type, std::uint64_t offset, std::uint64_t size) {
    const std::uint64_t vaddr = spec.load_address + offset;
    if (is64) {
      out.put(type, 4);
      out.put(PF_R, 4);
      out.put(offset, 8);
      out.put(vaddr, 8);
      out.put(vaddr, 8);
      out.put(size, 8);
      out.put(size, 8);
      out.put(8, 8);
    } else {
      out.put(type, 4);
      out.put(offset, 4);
      out.put(vaddr, 4);
      out.put(vaddr, 4);
      out.put(size, 4);
      out.put(size, 4);
      out.put(PF_R, 4);
      out.put(4, 4);
    }
  };
  program_header(PT_LOAD, 0, at.size);
  if (!spec.interpreter.empty()) program_header(PT_INTERP, at.interpreter, interp.size());
  if (spec.dynamic_segment) program_header(PT_DYNAMIC, at.dynamic, dynamic_size);
  out.raw(interp);
  out.raw(strtab);
  out.raw(std::string(at.dynamic - out.size(), '\0'));
  for (const auto& [tag, value] : dynamic) {
    out.put(tag, word);
    out.put(value, word);
  }
  if (layout) *layout = at;
  return std::move(out).take();
}

}  // namespace kiln::testing
