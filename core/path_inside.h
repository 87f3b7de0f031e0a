#pragma once
// Where a path really leads, judged against a root it must not leave: what a build context
// promises to everything that reads it (kiln-server judges its clients' path settings with it;
// COPY sources have their own resolver, which also applies .dockerignore to links).
#include <filesystem>
#include <optional>

namespace kiln {

/// The real location of `path` (relative paths are taken from `root`; absolute ones as they
/// are), with every symlink on the way followed as the kernel would (a dangling one too) and
/// ".." applied to where that led; nullopt when that location is not `root` itself or below it,
/// or for a symlink loop. A missing tail is judged as written.
std::optional<std::filesystem::path> resolve_inside(const std::filesystem::path& root, const std::filesystem::path& path);

}  // namespace kiln
