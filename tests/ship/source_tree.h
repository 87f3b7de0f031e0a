#pragma once
// The checkout the ship tests read: README, docs, sources, manifests.
#include <filesystem>

namespace kiln::ship {

inline const std::filesystem::path kSource = KILN_SOURCE_DIR;

}  // namespace kiln::ship
