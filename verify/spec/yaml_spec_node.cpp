// YAML spec files through yaml-cpp; every node keeps its line (yaml-cpp's Mark is 0-based).
#include <algorithm>

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
    case YAML::NodeType::Map: {
      out.kind = SpecNode::Kind::map;
      std::vector<SpecMember> merged;
      for (const auto& entry : node) {
        if (!entry.first.IsScalar()) {
          throw_usage(file + ":" + std::to_string(line_of(entry.first)) + ": a key must be a plain string");
        }
        SpecNode value = convert(entry.second, file, depth + 1);
        // YAML 1.1 merge keys ("<<: *defaults"), which yaml.v2 and so CST honour and yaml-cpp
        // leaves to us: the merged maps' keys count unless the map sets them itself.
        if (entry.first.Scalar() == "<<" && entry.first.Tag() == "?") {
          std::vector<SpecNode> sources;
          if (value.kind == SpecNode::Kind::sequence) sources = value.items;
          else sources.push_back(value);
          for (const SpecNode& source : sources) {
            if (source.kind != SpecNode::Kind::map) {
              throw_usage(file + ":" + std::to_string(source.line) + ": \"<<\" merges maps only");
            }
            merged.insert(merged.end(), source.members.begin(), source.members.end());
          }
          continue;
        }
        out.members.push_back({.key = entry.first.Scalar(), .line = line_of(entry.first), .value = std::move(value)});
      }
      for (SpecMember& member : merged) {
        const auto same_key = [&](const SpecMember& m) { return m.key == member.key; };
        if (std::none_of(out.members.begin(), out.members.end(), same_key)) out.members.push_back(std::move(member));
      }
      break;
    }
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
