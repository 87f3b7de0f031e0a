// .dockerignore as Docker reads it: moby/buildkit dockerignore.ReadAll for the file, and
// moby/patternmatcher for matching (a pattern becomes an anchored regular expression).
#include <re2/re2.h>

#include "core/error.h"
#include "plugin/dockerfile/dockerfile.h"
#include "plugin/dockerfile/limits.h"
#include "plugin/dockerfile/logical_lines.h"

namespace kiln::plugin {
namespace {

// Go's filepath.Clean for '/'-separated paths: no empty or "." elements, ".." resolved
// lexically, no trailing '/', "." for nothing.
std::string clean(std::string_view path) {
  const bool rooted = path.starts_with('/');
  std::vector<std::string_view> parts;
  while (!path.empty()) {
    const size_t slash = path.find('/');
    const std::string_view part = path.substr(0, slash);
    path = slash == std::string_view::npos ? std::string_view() : path.substr(slash + 1);
    if (part.empty() || part == ".") continue;
    if (part == ".." && !parts.empty() && parts.back() != "..") {
      parts.pop_back();
    } else if (part != ".." || !rooted) {
      parts.push_back(part);
    }
  }
  std::string out = rooted ? "/" : "";
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += '/';
    out += parts[i];
  }
  return out.empty() ? "." : out;
}

// patternmatcher's compile: "**" matches any number of directories, "*" and "?" stay within
// one, "[...]" is a character class, '\' escapes the next character, and characters that are
// special only to regular expressions are escaped. Empty for an unclosed '['.
std::string to_regex(std::string_view pattern) {
  std::string re = "^";
  bool in_class = false;
  for (size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (in_class) {
      if (c == ']') in_class = false;
      if (c == '\\' && i + 1 < pattern.size()) {
        re += '\\';
        re += pattern[++i];
        continue;
      }
      re += c;
    } else if (c == '*' && i + 1 < pattern.size() && pattern[i + 1] == '*') {
      ++i;
      if (i + 1 < pattern.size() && pattern[i + 1] == '/') ++i;  // "**/" is "**"
      re += i + 1 == pattern.size() ? ".*" : "(.*/)?";
    } else if (c == '*') {
      re += "[^/]*";
    } else if (c == '?') {
      re += "[^/]";
    } else if (c == '[') {
      in_class = true;
      re += c;
      if (i + 1 < pattern.size() && pattern[i + 1] == '^') re += pattern[++i];
    } else if (c == '\\') {
      re += '\\';
      re += i + 1 < pattern.size() ? pattern[++i] : '\\';
    } else if (std::string_view(".+()|{}$^]").find(c) != std::string_view::npos) {
      re += '\\';
      re += c;
    } else {
      re += c;
    }
  }
  // RE2 would report this in terms of the regular expression; say it in the pattern's terms.
  if (in_class) return {};
  return re + "$";
}

}  // namespace

DockerIgnore DockerIgnore::parse(std::string_view text) {
  using namespace dockerfile_limits;
  if (text.size() > kMaxDockerignoreBytes)
    throw_usage(".dockerignore: " + std::to_string(text.size()) + " bytes, more than the " +
                std::to_string(kMaxDockerignoreBytes) + " it may have");
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  DockerIgnore out;
  int line_no = 0;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    ++line_no;
    // Only a '#' in the first column starts a comment; " #x" is a pattern.
    if (line.starts_with('#')) continue;
    line = detail::trim(line);
    if (line.empty()) continue;
    Rule rule{.line = line_no};
    if (line.front() == '!') {
      rule.negated = true;
      line = detail::trim(line.substr(1));
      if (line.empty()) detail::fail_at(".dockerignore", line_no, "illegal exclusion pattern: \"!\"");
    }
    rule.pattern = clean(line);
    if (rule.pattern.size() > 1 && rule.pattern.front() == '/') rule.pattern.erase(0, 1);
    const std::string re = to_regex(rule.pattern);
    if (re.empty()) detail::fail_at(".dockerignore", line_no, "bad pattern '" + rule.pattern + "': unclosed '['");
    auto regex = std::make_shared<const re2::RE2>(re, re2::RE2::Quiet);
    if (!regex->ok()) {
      detail::fail_at(".dockerignore", line_no, "bad pattern '" + rule.pattern + "': " + regex->error());
    }
    rule.regex = std::move(regex);
    if (out.rules_.size() == static_cast<std::size_t>(kMaxDockerignoreRules))
      detail::fail_at(".dockerignore", line_no, "more than " + std::to_string(kMaxDockerignoreRules) + " patterns");
    out.rules_.push_back(std::move(rule));
  }
  return out;
}

std::optional<std::string> DockerIgnore::exclusion(std::string_view path) const {
  // A rule that matches a parent directory matches everything under it ("dir" excludes
  // "dir/a/b"); the last rule that matches decides (MatchesOrParentMatches).
  const std::string file = clean(path);
  std::vector<std::string_view> candidates = {file};
  for (size_t slash = file.find('/'); slash != std::string::npos; slash = file.find('/', slash + 1)) {
    candidates.push_back(std::string_view(file).substr(0, slash));
  }
  const Rule* excluding = nullptr;
  for (const Rule& rule : rules_) {
    if (rule.negated != (excluding != nullptr)) continue;  // cannot change the outcome
    for (std::string_view candidate : candidates) {
      if (re2::RE2::FullMatch(candidate, *rule.regex)) {
        excluding = rule.negated ? nullptr : &rule;
        break;
      }
    }
  }
  if (!excluding) return std::nullopt;
  return "line " + std::to_string(excluding->line) + ": '" + excluding->pattern + "'";
}

}  // namespace kiln::plugin
