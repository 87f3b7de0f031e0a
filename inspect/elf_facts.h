#pragma once
// The ELF facts of one file in a tree: identity, interpreter, search paths and where each
// needed library resolves. Reads headers, the dynamic segment and its strings only.
#include <string>
#include <string_view>

#include "inspect/facts.h"
#include "inspect/file_tree.h"

namespace kiln::inspect {

struct ElfInspection {
  std::optional<ElfFacts> facts;  ///< set when the file is ELF
  bool not_elf = false;           ///< readable, and not ELF
  std::string error;              ///< unreadable, or ELF with headers that could not all be read
};

/// Inspects the regular file at `resolved_path` (symlinks already followed).
ElfInspection inspect_elf(const FileTree& tree, std::string_view resolved_path);

}  // namespace kiln::inspect
