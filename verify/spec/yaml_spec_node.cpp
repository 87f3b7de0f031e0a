// YAML spec files through yaml-cpp; every node keeps its line (yaml-cpp's Mark is 0-based).
#include <yaml-cpp/yaml.h>

#include "core/error.h"
#include "verify/spec/spec_node.h"

namespace kiln::verify {
namespace {

std::size_t line_of(const YAML::Node& node) {
  const YAML::Mark mark = node.Mark();
  return mark.line < 0 ? 0 : static_cast<std::size_t>(mark.line) + 1;
}

SpecNode convert(const YAML::Node& node, const std::string& file, int depth) {
  // yaml-cpp follows aliases, so a self-referencing document would never end.
  if (depth > 64) throw_usage(file + ":" + std::to_string(line_of(node)) + ": nested too deeply");
  SpecNode out;
  out.line = line_of(node);
  switch (node.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
      out.kind = SpecNode::Kind::null;
      break;
    case YAML::NodeType::Scalar:
      out.kind = SpecNode::Kind::scalar;
      out.text = node.Scalar();
      // Quoted scalars carry the non-specific tag "!"; plain ones "?" and may be any type.
      out.scalar_type = node.Tag() == "!" ? SpecNode::ScalarType::string : SpecNode::ScalarType::plain;
      break;
    case YAML::NodeType::Sequence:
      out.kind = SpecNode::Kind::sequence;
      for (const YAML::Node& item : node) out.items.push_back(convert(item, file, depth + 1));
      break;
    case YAML::NodeType::Map:
      out.kind = SpecNode::Kind::map;
      for (const auto& entry : node) {
        if (!entry.first.IsScalar()) {
          throw_usage(file + ":" + std::to_string(line_of(entry.first)) + ": a key must be a plain string");
        }
        out.members.push_back({.key = entry.first.Scalar(),
                               .line = line_of(entry.first),
                               .value = convert(entry.second, file, depth + 1)});
      }
      break;
  }
  return out;
}

}  // namespace

SpecNode parse_yaml_spec_node(const std::string& text, const std::string& file) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    throw_usage(file + ":" + std::to_string(e.mark.line + 1) + ": not valid YAML: " + e.msg);
  }
  return convert(root, file, 0);
}

}  // namespace kiln::verify
