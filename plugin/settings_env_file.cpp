#include "plugin/settings_env_file.h"

#include <fmt/format.h>

#include <fstream>
#include <sstream>

#include "core/error.h"
#include "core/text.h"

namespace kiln::plugin {
namespace {

bool env_file_name_char(char c, bool first) {
  return c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (!first && ((c >= '0' && c <= '9') || c == '.'));
}

std::string trimmed(std::string_view s) { return std::string(trim(s)); }

std::string parse_value(std::string_view raw, const std::string& where) {
  const std::string value = trimmed(raw);
  if (value.empty()) return value;
  const char quote = value.front();
  if (quote == '\'' || quote == '"') {
    const auto close = value.find_last_of(quote);
    if (close == 0) throw_usage(fmt::format("{}: the value's closing {} is missing (values are one line)", where, quote));
    const std::string after = trimmed(std::string_view(value).substr(close + 1));
    if (!after.empty() && after.front() != '#')
      throw_usage(fmt::format("{}: unexpected text after the quoted value", where));
    const std::string inner = value.substr(1, close - 1);
    if (quote == '\'') return inner;
    std::string out;
    for (std::size_t i = 0; i < inner.size(); ++i) {
      if (inner[i] != '\\' || i + 1 == inner.size()) {
        out += inner[i];
        continue;
      }
      const char next = inner[++i];
      out += next == 'n' ? '\n' : next == 't' ? '\t' : next;
    }
    return out;
  }
  // Unquoted: a " #" starts a comment.
  if (const auto comment = value.find(" #"); comment != std::string::npos) return trimmed(value.substr(0, comment));
  return value;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> read_env_file(const std::filesystem::path& path) {
  const std::string file = path.string();
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    throw_usage(fmt::format("setting env_file: {} does not exist or is not a file", file));
  if (std::filesystem::file_size(path, ec) > kMaxEnvFileBytes)
    throw_usage(fmt::format("setting env_file: {} is larger than {} bytes", file, kMaxEnvFileBytes));
  std::ifstream in(path, std::ios::binary);
  if (!in) throw_usage(fmt::format("setting env_file: cannot read {}", file));
  std::vector<std::pair<std::string, std::string>> out;
  std::string line;
  for (std::size_t number = 1; std::getline(in, line); ++number) {
    const std::string where = fmt::format("setting env_file: {}:{}", file, number);
    std::string text = trimmed(line);
    if (text.empty() || text.front() == '#') continue;
    if (text.starts_with("export ")) text = trimmed(std::string_view(text).substr(7));
    std::size_t end = 0;
    while (end < text.size() && env_file_name_char(text[end], end == 0)) ++end;
    if (end == 0) throw_usage(fmt::format("{}: expected NAME=value", where));
    const std::string name = text.substr(0, end);
    const std::string rest = trimmed(std::string_view(text).substr(end));
    if (rest.empty() || (rest.front() != '=' && rest.front() != ':'))
      throw_usage(fmt::format("{}: expected NAME=value after {}", where, name));
    out.emplace_back(name, parse_value(std::string_view(rest).substr(1), where));
  }
  return out;
}

}  // namespace kiln::plugin
