#pragma once
// Typed reads from a SpecNode with messages that name the file, line and key at fault. Used by
// decode_spec only; kept apart so the schema reads as a list of keys.
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "verify/spec/spec.h"
#include "verify/spec/spec_node.h"

namespace kiln::verify {

/// `text` between double quotes, as errors about a spec quote the value at fault.
std::string in_quotes(std::string_view text);

class NodeReader {
 public:
  explicit NodeReader(std::string file) : file_(std::move(file)) {}

  /// Throws kiln::Error(usage) "<file>:<line>: <what>" (no line when unknown).
  [[noreturn]] void fail(std::size_t line, const std::string& what) const;

  /// The members of a map, after checking that `node` is a map with only `known` keys, each
  /// once. `where` names the map in messages ("commandTests[2]").
  const SpecNode& map(const SpecNode& node, const std::string& where, std::initializer_list<std::string_view> known) const;
  /// The value of `key` in a checked map; nullptr when absent or null.
  static const SpecNode* find(const SpecNode& map, std::string_view key);

  std::string string(const SpecNode& node, const std::string& where) const;
  bool boolean(const SpecNode& node, const std::string& where) const;
  std::int64_t integer(const SpecNode& node, const std::string& where) const;
  std::vector<std::string> strings(const SpecNode& node, const std::string& where) const;
  /// A list of `{key, value, isRegex}`.
  std::vector<EnvVar> env_vars(const SpecNode& node, const std::string& where) const;

  /// Optional members by type, with `where + "." + key` in messages.
  std::optional<std::string> opt_string(const SpecNode& map, std::string_view key, const std::string& where) const;
  std::string required_string(const SpecNode& map, std::string_view key, const std::string& where) const;
  std::vector<std::string> opt_strings(const SpecNode& map, std::string_view key, const std::string& where) const;

  /// Throws unless every pattern compiles as RE2; `where` names the test and key.
  void check_patterns(const std::vector<std::string>& patterns, std::size_t line, const std::string& where) const;

  const std::string& file() const { return file_; }

 private:
  std::string file_;
};

}  // namespace kiln::verify
