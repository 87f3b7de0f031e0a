#include "inspect/elf_facts.h"

#include "core/elf.h"
#include "inspect/library_resolution.h"

namespace kiln::inspect {

ElfInspection inspect_elf(const FileTree& tree, std::string_view resolved_path) {
  ElfInspection out;
  bool unreadable = false;
  const auto dynamic = read_elf_dynamic([&](std::uint64_t offset, std::uint64_t length) {
    auto bytes = tree.read_range(resolved_path, offset, length);
    if (!bytes) unreadable = true;
    return bytes.value_or("");
  });
  if (!dynamic) {
    if (unreadable) out.error = "cannot read " + std::string(resolved_path);
    else out.not_elf = true;
    return out;
  }
  ElfFacts facts{.bits = dynamic->identity.bits,
                 .little_endian = dynamic->identity.little_endian,
                 .machine = dynamic->identity.machine,
                 .architecture = dynamic->identity.architecture,
                 .dynamic = !dynamic->interpreter.empty() || !dynamic->needed.empty(),
                 .interpreter = dynamic->interpreter,
                 .rpath = dynamic->rpath,
                 .runpath = dynamic->runpath};
  facts.interpreter_found = interpreter_exists(tree, facts.interpreter);
  facts.libraries = resolve_libraries(tree, resolved_path, *dynamic);
  if (!dynamic->complete)
    out.error = std::string(resolved_path) + ": ELF headers are truncated or malformed; facts are partial";
  out.facts = std::move(facts);
  return out;
}

}  // namespace kiln::inspect
