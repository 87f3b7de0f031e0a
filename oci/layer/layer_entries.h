#pragma once
// Turns the caller's layer entries into exactly what the tar holds, in order: normalised
// paths, every missing parent directory added, sorted so each directory precedes its contents.
#include <string>
#include <string_view>
#include <vector>

#include "oci/layer/layer_writer.h"

namespace kiln::oci {

/// Removes leading "/" and "./", repeated and trailing slashes and "." components.
/// Throws kiln::Error(usage) for ".." components, an empty result, or bytes that are not
/// UTF-8 (tar pax headers declare names as UTF-8).
std::string normalize_layer_path(std::string_view path);

/// Tree order: compares paths component by component, so "usr/local" < "usr/local/x" <
/// "usr/local-x" ("usr/local"'s subtree stays together, as a directory walk would emit it).
bool layer_path_less(std::string_view a, std::string_view b);

/// Normalised, sorted (layer_path_less), parents added as 0755 directories. Throws
/// kiln::Error(usage) naming the path for a duplicate, a parent that is not a directory, a
/// file given both a source and inline content, or a symlink without a target.
std::vector<LayerEntry> plan_layer_entries(const std::vector<LayerEntry>& entries);

}  // namespace kiln::oci
