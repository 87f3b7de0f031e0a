#include "verify/spec/node_reader.h"

#include <algorithm>
#include <charconv>
#include <iterator>

#include <re2/re2.h>

#include "core/error.h"

namespace kiln::verify {
namespace {

std::string comma_joined(std::initializer_list<std::string_view> words) {
  std::string out;
  for (std::string_view word : words) out += (out.empty() ? "" : ", ") + std::string(word);
  return out;
}

std::string kind_name(const SpecNode& node) {
  switch (node.kind) {
    case SpecNode::Kind::null: return "nothing";
    case SpecNode::Kind::sequence: return "a list";
    case SpecNode::Kind::map: return "a map";
    case SpecNode::Kind::scalar: break;
  }
  switch (node.scalar_type) {
    case SpecNode::ScalarType::number: return "the number " + node.text;
    case SpecNode::ScalarType::boolean: return "the boolean " + node.text;
    default: return in_quotes(node.text);
  }
}

}  // namespace

std::string in_quotes(std::string_view text) { return "\"" + std::string(text) + "\""; }

void NodeReader::fail(std::size_t line, const std::string& what) const {
  throw_usage(line == 0 ? file_ + ": " + what : file_ + ":" + std::to_string(line) + ": " + what);
}

const SpecNode& NodeReader::map(const SpecNode& node, const std::string& where,
                                std::initializer_list<std::string_view> known) const {
  if (node.kind != SpecNode::Kind::map) fail(node.line, where + ": expected a map, found " + kind_name(node));
  for (std::size_t i = 0; i < node.members.size(); ++i) {
    const SpecMember& member = node.members[i];
    if (std::find(known.begin(), known.end(), member.key) == known.end()) {
      fail(member.line, where + ": unknown key " + in_quotes(member.key) + " (known keys: " + comma_joined(known) + ")");
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (node.members[j].key == member.key) fail(member.line, where + ": key " + in_quotes(member.key) + " given twice");
    }
  }
  return node;
}

const SpecNode* NodeReader::find(const SpecNode& map, std::string_view key) {
  for (const SpecMember& member : map.members) {
    if (member.key == key) return member.value.kind == SpecNode::Kind::null ? nullptr : &member.value;
  }
  return nullptr;
}

std::string NodeReader::string(const SpecNode& node, const std::string& where) const {
  const bool text = node.kind == SpecNode::Kind::scalar &&
                    (node.scalar_type == SpecNode::ScalarType::plain || node.scalar_type == SpecNode::ScalarType::string);
  if (!text) fail(node.line, where + ": expected a string, found " + kind_name(node));
  return node.text;
}

bool NodeReader::boolean(const SpecNode& node, const std::string& where) const {
  if (node.kind == SpecNode::Kind::scalar && node.scalar_type == SpecNode::ScalarType::boolean) return node.text == "true";
  // CST reads YAML with yaml.v2, which takes YAML 1.1's spellings of booleans.
  static constexpr std::string_view yes[] = {"true", "True", "TRUE", "yes", "Yes", "YES", "y", "Y", "on", "On", "ON"};
  static constexpr std::string_view no[] = {"false", "False", "FALSE", "no", "No", "NO", "n", "N", "off", "Off", "OFF"};
  if (node.kind == SpecNode::Kind::scalar && node.scalar_type == SpecNode::ScalarType::plain) {
    if (std::find(std::begin(yes), std::end(yes), node.text) != std::end(yes)) return true;
    if (std::find(std::begin(no), std::end(no), node.text) != std::end(no)) return false;
  }
  fail(node.line, where + ": expected true or false, found " + kind_name(node));
}

std::int64_t NodeReader::integer(const SpecNode& node, const std::string& where) const {
  if (node.kind == SpecNode::Kind::scalar &&
      (node.scalar_type == SpecNode::ScalarType::number || node.scalar_type == SpecNode::ScalarType::plain)) {
    std::int64_t value = 0;
    const char* end = node.text.data() + node.text.size();
    const auto [ptr, ec] = std::from_chars(node.text.data(), end, value);
    if (ec == std::errc() && ptr == end && !node.text.empty()) return value;
  }
  fail(node.line, where + ": expected an integer, found " + kind_name(node));
}

std::vector<std::string> NodeReader::strings(const SpecNode& node, const std::string& where) const {
  if (node.kind != SpecNode::Kind::sequence) fail(node.line, where + ": expected a list of strings, found " + kind_name(node));
  std::vector<std::string> out;
  for (std::size_t i = 0; i < node.items.size(); ++i) {
    out.push_back(string(node.items[i], where + "[" + std::to_string(i) + "]"));
  }
  return out;
}

std::vector<EnvVar> NodeReader::env_vars(const SpecNode& node, const std::string& where) const {
  if (node.kind != SpecNode::Kind::sequence) {
    fail(node.line, where + ": expected a list of {key, value}, found " + kind_name(node));
  }
  std::vector<EnvVar> out;
  for (std::size_t i = 0; i < node.items.size(); ++i) {
    const std::string item_where = where + "[" + std::to_string(i) + "]";
    const SpecNode& item = map(node.items[i], item_where, {"key", "value", "isRegex"});
    EnvVar var{.key = required_string(item, "key", item_where), .value = opt_string(item, "value", item_where).value_or("")};
    if (const SpecNode* is_regex = find(item, "isRegex")) var.is_regex = boolean(*is_regex, item_where + ".isRegex");
    out.push_back(std::move(var));
  }
  return out;
}

std::optional<std::string> NodeReader::opt_string(const SpecNode& map, std::string_view key,
                                                  const std::string& where) const {
  const SpecNode* node = find(map, key);
  if (!node) return std::nullopt;
  return string(*node, where + "." + std::string(key));
}

std::string NodeReader::required_string(const SpecNode& map, std::string_view key, const std::string& where) const {
  std::optional<std::string> value = opt_string(map, key, where);
  if (!value || value->empty()) fail(map.line, where + ": " + std::string(key) + " is required");
  return *value;
}

std::vector<std::string> NodeReader::opt_strings(const SpecNode& map, std::string_view key,
                                                 const std::string& where) const {
  const SpecNode* node = find(map, key);
  if (!node) return {};
  return strings(*node, where + "." + std::string(key));
}

void NodeReader::check_patterns(const std::vector<std::string>& patterns, std::size_t line,
                                const std::string& where) const {
  for (std::size_t i = 0; i < patterns.size(); ++i) {
    const RE2 re(patterns[i], RE2::Quiet);
    if (!re.ok()) {
      fail(line, where + "[" + std::to_string(i) + "]: invalid RE2 pattern " + in_quotes(patterns[i]) + ": " + re.error());
    }
  }
}

}  // namespace kiln::verify
