#include "plugin/dockerfile/dockerfile.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "core/error.h"
#include "plugin/dockerfile/instruction_parser.h"
#include "plugin/dockerfile/limits.h"
#include "plugin/dockerfile/logical_lines.h"

namespace kiln::plugin {

std::optional<std::string> Instruction::flag(std::string_view name) const {
  for (const auto& [key, value] : flags)
    if (key == name) return value;
  return std::nullopt;
}

namespace {

// BuildKit's reValidName for stage names, checked after lower-casing: ^[a-z][a-z0-9-_\.]*$
bool valid_stage_name(std::string_view name) {
  if (name.empty() || !std::islower(static_cast<unsigned char>(name[0]))) return false;
  return std::all_of(name.begin(), name.end(), [](unsigned char c) {
    return std::islower(c) || std::isdigit(c) || c == '-' || c == '_' || c == '.';
  });
}

Stage make_stage(const Instruction& from, int index, const std::vector<Stage>& earlier, std::string_view file) {
  Stage stage{.base = from.args[0], .platform = from.flag("platform"), .index = index, .line = from.line};
  if (from.args.size() == 3) {
    stage.name = from.args[2];
    std::transform(stage.name.begin(), stage.name.end(), stage.name.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    if (!valid_stage_name(stage.name)) {
      detail::fail_at(file, from.line,
                      "invalid stage name '" + from.args[2] +
                          "' (a letter, then letters, digits, '-', '_' or '.')");
    }
    for (const Stage& other : earlier) {
      if (other.name == stage.name) {
        detail::fail_at(file, from.line,
                        "duplicate stage name '" + stage.name + "' (first at line " + std::to_string(other.line) + ")");
      }
    }
  }
  return stage;
}

}  // namespace

Dockerfile parse_dockerfile(std::string_view text, std::string_view file_name) {
  using namespace dockerfile_limits;
  if (text.size() > kMaxBytes)
    throw_usage(fmt::format("{}: {} bytes, more than the {} a Dockerfile may have", file_name, text.size(), kMaxBytes));
  const detail::LogicalLines lines = detail::split_logical_lines(text, file_name);
  Dockerfile out{.file_name = std::string(file_name), .escape = lines.escape};
  if (lines.lines.size() > static_cast<std::size_t>(kMaxInstructions))
    detail::fail_at(file_name, lines.lines[kMaxInstructions].line,
                    fmt::format("more than {} instructions", kMaxInstructions));
  for (const detail::LogicalLine& line : lines.lines) {
    Instruction instruction = detail::parse_instruction(line, lines.escape, file_name);
    if (instruction.keyword == "ENV" || instruction.keyword == "LABEL") {
      (void)key_values(instruction, file_name);  // a malformed pair fails the parse, not the build
    }
    if (instruction.keyword == "FROM") {
      if (out.stages.size() == static_cast<std::size_t>(kMaxStages))
        detail::fail_at(file_name, line.line, fmt::format("more than {} stages (FROM instructions)", kMaxStages));
      out.stages.push_back(make_stage(instruction, static_cast<int>(out.stages.size()), out.stages, file_name));
    } else if (!out.stages.empty()) {
      out.stages.back().instructions.push_back(std::move(instruction));
    } else if (instruction.keyword == "ARG") {
      out.global_args.push_back(std::move(instruction));  // may be used in FROM lines
    } else {
      detail::fail_at(file_name, line.line,
                      instruction.keyword + " before the first FROM (only ARG may come before FROM)");
    }
  }
  if (out.stages.empty()) throw_usage(std::string(file_name) + ": no FROM instruction");
  return out;
}

}  // namespace kiln::plugin
