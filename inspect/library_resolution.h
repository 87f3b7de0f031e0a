#pragma once
// Where the image's dynamic loader would find each library a binary needs, worked out from
// the image's files alone (nothing is run): glibc's order (RPATH when there is no RUNPATH,
// RUNPATH, ld.so.conf, the built-in directories) or musl's (RPATH/RUNPATH, then
// /etc/ld-musl-<arch>.path or its defaults). LD_LIBRARY_PATH is not part of the image, so it
// is not used. Only the binary's own DT_NEEDED entries are resolved, not their dependencies.
#include <string>
#include <string_view>
#include <vector>

#include "core/elf.h"
#include "inspect/facts.h"
#include "inspect/file_tree.h"

namespace kiln::inspect {

/// The directories searched for `binary`'s libraries, in the loader's order, with $ORIGIN,
/// ${ORIGIN}, $LIB and $PLATFORM expanded (a directory may expand to several candidates:
/// $LIB and $PLATFORM depend on how glibc was configured and on the CPU). `binary` is its
/// resolved image path.
std::vector<std::string> library_search_path(const FileTree& tree, std::string_view binary,
                                             const ElfDynamicInfo& elf);

/// One entry per DT_NEEDED of `binary`, in order; `resolved` is the path the loader would
/// open ("/lib/x86_64-linux-gnu/libc.so.6"), or empty when no candidate qualifies. A
/// candidate qualifies when it resolves inside the image to a regular ELF file of the same
/// class and machine as `binary`.
std::vector<LibraryResolution> resolve_libraries(const FileTree& tree, std::string_view binary,
                                                 const ElfDynamicInfo& elf);

/// Whether the PT_INTERP path resolves inside the image to a regular file.
bool interpreter_exists(const FileTree& tree, std::string_view interpreter);

}  // namespace kiln::inspect
