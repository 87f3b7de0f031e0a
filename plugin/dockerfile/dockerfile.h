#pragma once
// The Dockerfile front end: text → instructions, kept as written (variables are expanded by
// whoever executes them, because ARG and ENV values change as a stage proceeds). Follows
// BuildKit's dockerfile/parser and instructions packages.
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace re2 {
class RE2;
}

namespace kiln::plugin {

/// One instruction. `args` holds the arguments after the flags: for the JSON form, the array
/// items (already unescaped); for the shell form of RUN/CMD/ENTRYPOINT/SHELL/HEALTHCHECK CMD,
/// one element with the rest of the line (continuations joined, comments removed); for every
/// other instruction, the words split as BuildKit splits them (quotes kept: expansion and
/// unquoting happen at execution time, see expand_words).
struct Instruction {
  std::string keyword;                              ///< upper case: "FROM", "COPY", ...
  std::vector<std::pair<std::string, std::string>> flags;  ///< "--chown=1:1" → {"chown", "1:1"}, in order
  std::vector<std::string> args;
  bool json_form = false;                           ///< RUN/CMD/ENTRYPOINT/SHELL/COPY/ADD/VOLUME written as a JSON array
  std::string original;                             ///< the instruction as written (one line, continuations joined)
  int line = 0;                                     ///< 1-based line where it starts

  /// The value of a flag, or nullopt.
  std::optional<std::string> flag(std::string_view name) const;
};

/// ENV and LABEL pairs of one instruction ("ENV a=1 b=2", legacy "ENV a 1 2"), not expanded.
struct KeyValue {
  std::string key;
  std::string value;
  friend bool operator==(const KeyValue&, const KeyValue&) = default;
};

struct Stage {
  std::string base;           ///< FROM's image or stage name, not expanded ("${BASE}", "scratch", "build")
  std::string name;           ///< AS name (lower case), empty when unnamed
  std::optional<std::string> platform;  ///< FROM --platform
  int index = 0;              ///< position among stages
  int line = 0;
  std::vector<Instruction> instructions;  ///< after FROM
};

struct Dockerfile {
  std::string file_name;                  ///< for messages: "Dockerfile", "docker/app.Dockerfile"
  char escape = '\\';                     ///< from the "# escape=" directive
  std::vector<Instruction> global_args;   ///< ARG instructions before the first FROM
  std::vector<Stage> stages;
};

/// Parses Dockerfile text. Throws kiln::Error(usage) "<file>:<line>: <what>" for an unknown
/// instruction, an unterminated JSON form, a bad escape directive, a missing FROM, an
/// instruction before FROM other than ARG, an invalid flag, a duplicate stage name.
Dockerfile parse_dockerfile(std::string_view text, std::string_view file_name);

/// ENV / LABEL arguments as pairs (both syntaxes), quotes kept; throws "<file>:<line>: ..." on
/// a malformed pair.
std::vector<KeyValue> key_values(const Instruction& instruction, std::string_view file_name);

/// What variable expansion may still produce in one build (dockerfile_limits::kMaxExpandedTotal
/// bytes): one per build, shared by every expand_word call of it.
class ExpansionBudget {
 public:
  ExpansionBudget();
  /// Takes `bytes`; false when fewer are left.
  bool take(std::size_t bytes);

 private:
  std::size_t left_;
};

/// Docker's variable expansion of one word: $VAR, ${VAR}, ${VAR:-word}, ${VAR-word},
/// ${VAR:+word}, ${VAR+word}, with `escape` escaping '$'; then quote removal ('…' literal,
/// "…" with expansion). Unset variables expand to "". Throws kiln::Error(usage) with
/// "<file>:<line>: " for a malformed expression (missing '}', bad modifier), for nesting
/// deeper than dockerfile_limits::kMaxExpansionDepth, for a result longer than
/// kMaxExpandedWord, and when `budget` (if given) cannot pay for the result.
std::string expand_word(std::string_view word, const std::map<std::string, std::string>& vars, char escape,
                        std::string_view file_name, int line, ExpansionBudget* budget = nullptr);
/// The same over a list of words; a word that expands to nothing stays an empty word.
std::vector<std::string> expand_words(const std::vector<std::string>& words,
                                      const std::map<std::string, std::string>& vars, char escape,
                                      std::string_view file_name, int line, ExpansionBudget* budget = nullptr);

/// .dockerignore rules (Docker's semantics: Go filepath.Match patterns with "**", "!" to
/// re-include, last match wins, leading "/" and "./" ignored, comments and blank lines skipped).
class DockerIgnore {
 public:
  /// Throws kiln::Error(usage) ".dockerignore:<line>: ..." for a pattern that cannot compile
  /// (an unclosed '[') or a lone "!".
  static DockerIgnore parse(std::string_view text);
  /// `path` relative to the context root, '/' separated, no leading "./".
  bool excluded(std::string_view path) const { return exclusion(path).has_value(); }
  bool empty() const { return rules_.empty(); }

  /// The rule that excludes `path`, for messages: "line 3: 'secret'". Nullopt: not excluded.
  std::optional<std::string> exclusion(std::string_view path) const;

 private:
  struct Rule {
    std::string pattern;  ///< cleaned, without '!'
    bool negated = false;
    int line = 0;         ///< in .dockerignore, for messages
    std::shared_ptr<const re2::RE2> regex;  ///< the pattern compiled once (shared: rules copy cheaply)
  };
  std::vector<Rule> rules_;
};

}  // namespace kiln::plugin
