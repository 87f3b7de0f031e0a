#include "tests/support/yaml_json.h"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <regex>
#include <sstream>

namespace kiln::testing {

oci::Json yaml_to_json(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      oci::Json out = oci::Json::object();
      for (const auto& item : node) out[item.first.as<std::string>()] = yaml_to_json(item.second);
      return out;
    }
    case YAML::NodeType::Sequence: {
      oci::Json out = oci::Json::array();
      for (const auto& item : node) out.push_back(yaml_to_json(item));
      return out;
    }
    case YAML::NodeType::Scalar: {
      const std::string value = node.Scalar();
      if (node.Tag() != "?") return value;  // quoted ("!") or explicitly tagged: a string
      static const std::regex integer("[-+]?[0-9]+"), number("[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?");
      if (value == "true" || value == "True" || value == "TRUE") return true;
      if (value == "false" || value == "False" || value == "FALSE") return false;
      if (value == "null" || value == "Null" || value == "NULL" || value == "~") return nullptr;
      if (std::regex_match(value, integer)) return std::stoll(value);
      if (std::regex_match(value, number)) return std::stod(value);
      return value;
    }
    default:
      return nullptr;
  }
}

std::vector<oci::Json> parse_yaml_documents(const std::string& text) {
  std::vector<oci::Json> out;
  for (const YAML::Node& doc : YAML::LoadAll(text))
    if (!doc.IsNull()) out.push_back(yaml_to_json(doc));
  return out;
}

std::vector<oci::Json> load_yaml_documents(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return parse_yaml_documents(text.str());
}

}  // namespace kiln::testing
