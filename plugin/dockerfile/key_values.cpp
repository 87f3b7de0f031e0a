#include "plugin/dockerfile/dockerfile.h"
#include "plugin/dockerfile/logical_lines.h"

namespace kiln::plugin {

std::vector<KeyValue> key_values(const Instruction& instruction, std::string_view file_name) {
  const std::string& keyword = instruction.keyword;
  const auto fail = [&](const std::string& what) { detail::fail_at(file_name, instruction.line, what); };
  if (keyword != "ENV" && keyword != "LABEL") fail(keyword + " has no KEY=VALUE pairs");
  const std::vector<std::string>& args = instruction.args;
  if (args.empty()) fail(keyword + " requires at least one argument");

  // The parser keeps the legacy form "ENV KEY VALUE..." as two arguments, key and the rest of
  // the line; a first word with '=' means every word is a pair (BuildKit's parseNameVal).
  // LABEL only has the pair form here, as documented; BuildKit accepts the legacy one too.
  std::vector<KeyValue> out;
  if (args[0].find('=') == std::string::npos) {
    if (keyword == "LABEL") fail("LABEL: missing '=' in '" + args[0] + "' (expected KEY=VALUE)");
    if (args.size() < 2) fail("ENV " + args[0] + " has no value (expected ENV KEY=VALUE or ENV KEY VALUE)");
    out.push_back({.key = args[0], .value = args[1]});
    return out;
  }
  for (const std::string& word : args) {
    const size_t eq = word.find('=');
    if (eq == std::string::npos) fail(keyword + ": missing '=' in '" + word + "' (expected KEY=VALUE)");
    if (eq == 0) fail(keyword + ": empty name in '" + word + "'");
    out.push_back({.key = word.substr(0, eq), .value = word.substr(eq + 1)});
  }
  return out;
}

}  // namespace kiln::plugin
