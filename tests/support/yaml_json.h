#pragma once
// YAML documents as JSON values, so that tests judge a YAML manifest with the same code as the
// JSON kiln produces. Plain scalars are typed as YAML 1.2's core schema types them (true/false,
// integers, floats, null); quoted scalars stay strings.
#include <filesystem>
#include <string>
#include <vector>

#include "oci/json.h"

namespace YAML {
class Node;
}

namespace kiln::testing {

oci::Json yaml_to_json(const YAML::Node& node);

/// Every document of the YAML file at `path` (empty documents skipped). Throws on a syntax error.
std::vector<oci::Json> load_yaml_documents(const std::filesystem::path& path);

/// The same for YAML text.
std::vector<oci::Json> parse_yaml_documents(const std::string& text);

}  // namespace kiln::testing
