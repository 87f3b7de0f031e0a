// Docker's shell-word processing (BuildKit frontend/dockerfile/shell/lex.go, ProcessWord):
// variable expansion and quote removal in one left-to-right pass.
#include <fmt/format.h>

#include "plugin/dockerfile/dockerfile.h"
#include "plugin/dockerfile/limits.h"
#include "plugin/dockerfile/logical_lines.h"

namespace kiln::plugin {
namespace {

constexpr char end_of_input = '\0';
using dockerfile_limits::kMaxExpandedWord;
using dockerfile_limits::kMaxExpansionDepth;

bool name_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool name_char(char c) { return name_start(c) || (c >= '0' && c <= '9'); }

class Lexer {
 public:
  Lexer(std::string_view word, const std::map<std::string, std::string>& vars, char escape,
        std::string_view file_name, int line)
      : word_(word), vars_(vars), escape_(escape), file_(file_name), line_(line) {}

  std::string run() { return until(end_of_input); }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    detail::fail_at(file_, line_, what + ": " + std::string(word_.substr(0, 200)) + (word_.size() > 200 ? "..." : ""));
  }
  // Every append goes through here: the result is bounded before it is built, not after.
  void append(std::string& out, std::string_view more) const {
    if (out.size() + more.size() > kMaxExpandedWord)
      detail::fail_at(file_, line_, fmt::format("a word expands to more than {} bytes", kMaxExpandedWord));
    out += more;
  }
  bool at_end() const { return pos_ >= word_.size(); }
  char peek() const { return at_end() ? end_of_input : word_[pos_]; }

  // Unquoted text up to `stop` ('}' inside ${name:-word}, or the end of the word).
  std::string until(char stop) {
    std::string out;
    while (!at_end()) {
      const char c = word_[pos_];
      if (stop != end_of_input && c == stop) {
        ++pos_;
        return out;
      }
      if (c == '\'') {
        append(out, single_quoted());
      } else if (c == '"') {
        append(out, double_quoted());
      } else if (c == '$') {
        append(out, dollar());
      } else {
        ++pos_;
        // Outside quotes the escape character makes the next one literal ("\$x" is "$x")
        // and is itself removed; one at the very end is dropped.
        if (c == escape_) {
          if (at_end()) break;
          out += word_[pos_++];
        } else {
          out += c;
        }
      }
    }
    if (stop != end_of_input) fail("missing '}'");
    return out;
  }

  // '…' is literal and cannot contain a single quote.
  std::string single_quoted() {
    const size_t close = word_.find('\'', pos_ + 1);
    if (close == std::string_view::npos) fail("missing closing single quote");
    std::string out(word_.substr(pos_ + 1, close - pos_ - 1));
    pos_ = close + 1;
    return out;
  }

  // "…" expands variables; the escape character escapes only '"', '$' and itself and is kept
  // before anything else (so "C:\dir" keeps its backslash).
  std::string double_quoted() {
    std::string out;
    ++pos_;
    while (true) {
      if (at_end()) fail("missing closing double quote");
      const char c = word_[pos_];
      if (c == '"') {
        ++pos_;
        return out;
      }
      if (c == '$') {
        append(out, dollar());
        continue;
      }
      ++pos_;
      if (c == escape_) {
        if (at_end()) continue;  // reported as the missing quote above
        const char next = word_[pos_];
        if (next == '"' || next == '$' || next == escape_) {
          out += next;
          ++pos_;
          continue;
        }
      }
      out += c;
    }
  }

  std::string name() {
    const size_t start = pos_;
    if (!name_start(peek())) return {};
    while (name_char(peek())) ++pos_;
    return std::string(word_.substr(start, pos_ - start));
  }

  const std::string* lookup(const std::string& key) const {
    const auto it = vars_.find(key);
    return it == vars_.end() ? nullptr : &it->second;
  }

  std::string dollar() {
    ++pos_;  // '$'
    if (peek() != '{') {
      const std::string key = name();
      if (key.empty()) return "$";  // "$", "$1", "$-": a literal dollar
      const std::string* value = lookup(key);
      return value ? *value : std::string();
    }
    ++pos_;  // '{'
    if (at_end()) fail("missing '}'");
    const std::string key = name();
    if (key.empty()) fail("bad substitution");
    if (at_end()) fail("missing '}'");
    const char c = word_[pos_++];
    const std::string* value = lookup(key);
    if (c == '}') return value ? *value : std::string();
    // ${name:-word} ${name-word} ${name:+word} ${name+word}: with ':', an empty value counts
    // as unset. The word is expanded, which allows nesting (${a:-${b}}).
    const bool colon = c == ':';
    const char modifier = colon ? peek() : c;
    if (colon) ++pos_;
    if (modifier != '-' && modifier != '+') {
      if (colon && modifier == end_of_input) fail("missing '}'");
      fail(std::string("unsupported modifier '") + (colon ? ":" : "") + modifier + "' in substitution");
    }
    // The only recursion: bounded, so a hostile nesting cannot exhaust the stack.
    if (++depth_ > kMaxExpansionDepth)
      detail::fail_at(file_, line_, fmt::format("variable substitutions nested more than {} deep", kMaxExpansionDepth));
    const std::string alternative = until('}');
    --depth_;
    const bool set = value && (!colon || !value->empty());
    if (modifier == '-') return set ? *value : alternative;
    return set ? alternative : std::string();
  }

  std::string_view word_;
  const std::map<std::string, std::string>& vars_;
  char escape_;
  std::string_view file_;
  int line_;
  size_t pos_ = 0;
  int depth_ = 0;
};

}  // namespace

ExpansionBudget::ExpansionBudget() : left_(dockerfile_limits::kMaxExpandedTotal) {}

bool ExpansionBudget::take(std::size_t bytes) {
  if (bytes > left_) return false;
  left_ -= bytes;
  return true;
}

std::string expand_word(std::string_view word, const std::map<std::string, std::string>& vars, char escape,
                        std::string_view file_name, int line, ExpansionBudget* budget) {
  std::string out = Lexer(word, vars, escape, file_name, line).run();
  if (budget && !budget->take(out.size()))
    detail::fail_at(file_name, line,
                    fmt::format("variable expansion in this Dockerfile produced more than {} bytes in all",
                                dockerfile_limits::kMaxExpandedTotal));
  return out;
}

std::vector<std::string> expand_words(const std::vector<std::string>& words,
                                      const std::map<std::string, std::string>& vars, char escape,
                                      std::string_view file_name, int line, ExpansionBudget* budget) {
  std::vector<std::string> out;
  out.reserve(words.size());
  for (const std::string& word : words) out.push_back(expand_word(word, vars, escape, file_name, line, budget));
  return out;
}

}  // namespace kiln::plugin
