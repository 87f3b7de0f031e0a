#pragma once
// A spec file as a tree of maps, lists and scalars that remembers where each node was written,
// so YAML and JSON are decoded by one function (decode_spec) and get the same keys, defaults
// and messages. Only the loaders build it.
#include <cstddef>
#include <string>
#include <vector>

namespace kiln::verify {

struct SpecMember;

struct SpecNode {
  enum class Kind { null, scalar, sequence, map };
  /// How a scalar was written: YAML's unquoted scalars may be read as any type; JSON's and
  /// YAML's quoted ones keep theirs ("exitCode": "1" is not a number).
  enum class ScalarType { plain, string, number, boolean };

  Kind kind = Kind::null;
  ScalarType scalar_type = ScalarType::plain;
  std::string text;                 ///< scalar text as written (numbers and booleans too)
  std::vector<SpecNode> items;      ///< sequence
  std::vector<SpecMember> members;  ///< map, in file order
  std::size_t line = 0;             ///< 1-based line in the file; 0 when unknown
};

struct SpecMember {
  std::string key;
  std::size_t line = 0;  ///< where the key is written
  SpecNode value;
};

/// Parses YAML text (yaml-cpp); throws kiln::Error(usage) naming `file` and the line.
SpecNode parse_yaml_spec_node(const std::string& text, const std::string& file);
/// Parses JSON text (nlohmann SAX); throws kiln::Error(usage) naming `file` and the line.
SpecNode parse_json_spec_node(const std::string& text, const std::string& file);

}  // namespace kiln::verify
