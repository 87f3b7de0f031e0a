#include "plugin/dockerfile/logical_lines.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "core/error.h"
#include "plugin/dockerfile/limits.h"

namespace kiln::plugin::detail {

void fail_at(std::string_view file_name, int line, const std::string& what) {
  throw_usage(std::string(file_name) + ":" + std::to_string(line) + ": " + what);
}

std::string_view trim_left(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  return s;
}

std::string_view trim(std::string_view s) {
  s = trim_left(s);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

namespace {

// Lines as bufio.ScanLines gives them: split on '\n', one trailing '\r' dropped, no empty
// last line after a final newline.
std::vector<std::string_view> physical_lines(std::string_view text) {
  std::vector<std::string_view> out;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    out.push_back(line);
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return out;
}

bool is_comment(std::string_view line) {
  line = trim_left(line);
  return !line.empty() && line.front() == '#';
}

// Parser directives ("# escape=`", "# syntax=...") are only read until the first line that is
// not one: an instruction, a plain comment, an unknown directive or a blank line all end
// them, as in BuildKit, so a later "# escape=" is an ordinary comment.
class Directives {
 public:
  explicit Directives(std::string_view file_name) : file_name_(file_name) {}

  void feed(std::string_view line, int line_no) {
    if (done_) return;
    std::string key, value;
    if (!match(line, key, value) || !(key == "escape" || key == "syntax" || key == "check")) {
      done_ = true;
      return;
    }
    if (!seen_.insert(key).second) fail_at(file_name_, line_no, "only one " + key + " parser directive can be used");
    if (key != "escape") return;  // syntax= and check= select BuildKit features we don't have
    if (value != "\\" && value != "`") {
      fail_at(file_name_, line_no, "invalid escape directive '" + value + "' (must be \\ or `)");
    }
    escape_ = value[0];
  }
  char escape() const { return escape_; }

 private:
  // BuildKit's ^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$
  static bool match(std::string_view s, std::string& key, std::string& value) {
    if (s.empty() || s.front() != '#') return false;
    s = trim_left(s.substr(1));
    size_t n = 0;
    while (n < s.size() && (std::isalpha(static_cast<unsigned char>(s[n])) ||
                            (n > 0 && std::isdigit(static_cast<unsigned char>(s[n])))))
      ++n;
    if (n == 0) return false;
    key.assign(s.substr(0, n));
    std::transform(key.begin(), key.end(), key.begin(), [](unsigned char c) { return std::tolower(c); });
    s = trim_left(s.substr(n));
    if (s.empty() || s.front() != '=') return false;
    s = trim(s.substr(1));
    if (s.empty()) return false;
    value.assign(s);
    return true;
  }

  std::string_view file_name_;
  std::set<std::string> seen_;
  char escape_ = '\\';
  bool done_ = false;
};

// BuildKit's lineContinuationRegex: the escape character, then only blanks, at the end.
bool trim_continuation(std::string& line, char escape) {
  size_t end = line.size();
  while (end > 0 && (line[end - 1] == ' ' || line[end - 1] == '\t')) --end;
  if (end == 0 || line[end - 1] != escape) return false;
  line.resize(end - 1);
  return true;
}

}  // namespace

LogicalLines split_logical_lines(std::string_view text, std::string_view file_name) {
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);  // a UTF-8 byte order mark
  const std::vector<std::string_view> lines = physical_lines(text);
  if (lines.size() > static_cast<std::size_t>(dockerfile_limits::kMaxLines))
    fail_at(file_name, dockerfile_limits::kMaxLines + 1,
            "more than " + std::to_string(dockerfile_limits::kMaxLines) + " lines");
  Directives directives(file_name);
  LogicalLines out;
  for (size_t i = 0; i < lines.size(); ++i) {
    directives.feed(trim_left(lines[i]), static_cast<int>(i + 1));
    const int start = static_cast<int>(i + 1);
    std::string line = is_comment(lines[i]) ? std::string() : std::string(trim_left(lines[i]));
    bool continued = trim_continuation(line, directives.escape());
    if (!continued && line.empty()) continue;
    // Within a continued instruction, comment lines and blank lines are dropped (BuildKit
    // warns about the blank ones but accepts them); the instruction ends at the first line
    // without a trailing escape character, or at the end of the file.
    while (continued && i + 1 < lines.size()) {
      const std::string_view next = lines[++i];
      if (is_comment(next) || trim_left(next).empty()) continue;
      std::string part(next);
      continued = trim_continuation(part, directives.escape());
      line += part;
    }
    out.lines.push_back({.text = std::move(line), .line = start});
  }
  out.escape = directives.escape();
  return out;
}

}  // namespace kiln::plugin::detail
