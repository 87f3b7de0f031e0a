#pragma once
// The directories an image's /etc/ld.so.conf lists. glibc's loader finds libraries through
// /etc/ld.so.cache, which ldconfig builds from these directories; reading the configuration
// instead of the cache keeps the answer exact for the directories and independent of whether
// ldconfig ran after the last layer was added.
#include <string>
#include <vector>

#include "inspect/file_tree.h"

namespace kiln::inspect {

/// Directories named by /etc/ld.so.conf, in order, with `include` patterns (globs, relative
/// ones against the including file's directory) expanded in sorted order as ldconfig does.
/// Relative directories and `hwcap` lines are ignored, as ldconfig ignores them. Empty when
/// the file is absent.
std::vector<std::string> ld_so_conf_directories(const FileTree& tree);

}  // namespace kiln::inspect
