#pragma once
// A read-only view of an image's root filesystem, whoever holds it: a directory (the probe
// inside the container, an unpacked rootfs) or an index of layer headers (the static driver).
// Paths are absolute image paths; symlinks are resolved by resolve() inside the tree, as the
// kernel would after chroot, so a link can never lead outside the image.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "inspect/facts.h"

namespace kiln::inspect {

class FileTree {
 public:
  virtual ~FileTree() = default;
  /// The entry at `path` with every component but the last taken literally (callers resolve
  /// first); nullopt when absent.
  virtual std::optional<FileStat> lstat(std::string_view path) const = 0;
  /// The names in a directory (no "." / ".."), sorted; empty when not a directory.
  virtual std::vector<std::string> list(std::string_view directory) const = 0;
  /// Up to `max_bytes` of a regular file at a resolved path; nullopt when unreadable.
  virtual std::optional<std::string> read(std::string_view path, std::uint64_t max_bytes) const = 0;
  /// Up to `length` bytes from `offset` of a regular file at a resolved path (fewer where the
  /// file ends); nullopt when unreadable. The default reads the prefix through read(); trees
  /// that can seek override it, so ELF headers of a large binary cost a few small reads.
  virtual std::optional<std::string> read_range(std::string_view path, std::uint64_t offset,
                                                std::uint64_t length) const;
  /// Hex SHA-256 of a regular file at a resolved path; nullopt when unreadable.
  virtual std::optional<std::string> sha256(std::string_view path) const = 0;
};

/// `path` with every symlink (intermediate, and the last one when `follow_last`) replaced by
/// its target, relative links against their directory and absolute ones against the image's
/// root, ".." never above "/"; at most 40 links. nullopt when a component is missing or the
/// chain loops.
std::optional<std::string> resolve(const FileTree& tree, std::string_view path, bool follow_last);

/// The directory holding the absolute image path `path`: "/usr/lib" for "/usr/lib/x", "/" for
/// "/x" (and for a path without a slash).
std::string parent_directory(std::string_view path);

}  // namespace kiln::inspect
