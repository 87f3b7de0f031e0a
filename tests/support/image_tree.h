#pragma once
// What two builders' images are compared on: the runtime config a container starts with, and
// the file tree umoci unpacks from the image's layers (whiteouts applied), read with skopeo
// from a registry on 127.0.0.1.
#include <filesystem>
#include <map>
#include <string>

#include "oci/json.h"

namespace kiln::testing {

/// path (relative to the root) → "d 755 0:0", "f 644 0:0 <size> <sha256 prefix>" or
/// "l 0:0 -> <target>" for every entry under `root`. No times: builders differ on them by design.
std::map<std::string, std::string> file_tree(const std::filesystem::path& root);

/// The tree of the image `reference` names (a plain-HTTP registry), unpacked under `work`/`name`.
std::map<std::string, std::string> image_tree(const std::string& reference, const std::filesystem::path& work,
                                              const std::string& name);

/// The image config (its JSON document, "config" object included) of `reference`.
oci::Json image_config(const std::string& reference);

}  // namespace kiln::testing
