#pragma once
// Removing a directory tree without ever following a symbolic link, even if the tree changes
// while it is removed: every step is taken relative to a directory already open (openat,
// unlinkat, O_NOFOLLOW), so a directory swapped for a link to / cannot lead the removal out.
// std::filesystem::remove_all walks by path names, which such a swap can redirect.
#include <filesystem>
#include <string>

namespace kiln {

/// Removes `name` (a file, a link or a whole directory) from the directory open as `dir_fd`.
/// True when it is gone (or was never there). Trees deeper than 4096 levels are left alone.
bool remove_tree_at(int dir_fd, const std::string& name);

/// The same for a path: its parent directory is opened as named, its last component is not
/// followed.
bool remove_tree(const std::filesystem::path& path);

}  // namespace kiln
