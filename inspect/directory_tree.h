#pragma once
// A FileTree over a host directory taken as the image's root: "/" for kiln-probe inside the
// container, an unpacked rootfs for tests and the local driver. The root is opened once and
// every path is walked from it one component at a time without following links, so a symlink
// in the image (even "/etc/passwd" or "../../..") can never reach the host's files; following
// links is resolve()'s job, inside the tree.
#include <filesystem>

#include "core/unique_fd.h"
#include "inspect/file_tree.h"

namespace kiln::inspect {

class DirectoryTree final : public FileTree {
 public:
  /// Throws kiln::Error(infra) naming `root` when it cannot be opened as a directory.
  explicit DirectoryTree(const std::filesystem::path& root);

  std::optional<FileStat> lstat(std::string_view path) const override;
  std::vector<std::string> list(std::string_view directory) const override;
  std::optional<std::string> read(std::string_view path, std::uint64_t max_bytes) const override;
  std::optional<std::string> read_range(std::string_view path, std::uint64_t offset,
                                        std::uint64_t length) const override;
  std::optional<std::string> sha256(std::string_view path) const override;

 private:
  /// The entry `path` names, split into an fd of its directory (walked from the root without
  /// following links) and its last component ("." for the root itself).
  struct Location {
    UniqueFd directory;
    std::string name;
  };
  std::optional<Location> locate(std::string_view path) const;
  /// `path` opened for reading when it is a regular file (never through a link).
  UniqueFd open_regular_file(std::string_view path) const;

  UniqueFd root_;
};

}  // namespace kiln::inspect
