#include "plugin/dockerfile/instruction_parser.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "plugin/dockerfile/words.h"

namespace kiln::plugin::detail {
namespace {

// How the text after the keyword and flags becomes `args` (BuildKit's dispatch table).
enum class Args {
  maybe_json,       // RUN CMD ENTRYPOINT SHELL: JSON array, or the whole text as one argument
  maybe_json_list,  // COPY ADD VOLUME: JSON array, or words split on blanks
  blank_split,      // FROM EXPOSE: words split on blanks
  whole,            // USER WORKDIR STOPSIGNAL MAINTAINER: the whole text as one argument
  words,            // ENV LABEL ARG: words split as parseWords does (quotes kept)
  health,           // HEALTHCHECK: type word, then like maybe_json
  sub,              // ONBUILD: the trigger instruction, raw
};

enum class FlagType { text, boolean, repeated };
struct FlagSpec {
  std::string_view name;
  FlagType type;
};

struct Spec {
  std::string_view keyword;
  Args args;
  std::vector<FlagSpec> flags;
};

const std::vector<Spec>& specs() {
  using enum FlagType;
  static const std::vector<Spec> table = {
      {"FROM", Args::blank_split, {{"platform", text}}},
      {"RUN", Args::maybe_json, {{"mount", repeated}, {"network", text}, {"security", text}}},
      {"CMD", Args::maybe_json, {}},
      {"LABEL", Args::words, {}},
      {"MAINTAINER", Args::whole, {}},
      {"EXPOSE", Args::blank_split, {}},
      {"ENV", Args::words, {}},
      {"ADD",
       Args::maybe_json_list,
       {{"chown", text}, {"chmod", text}, {"checksum", text}, {"keep-git-dir", boolean}, {"link", boolean},
        {"exclude", repeated}}},
      {"COPY",
       Args::maybe_json_list,
       {{"from", text}, {"chown", text}, {"chmod", text}, {"link", boolean}, {"parents", boolean},
        {"exclude", repeated}}},
      {"ENTRYPOINT", Args::maybe_json, {}},
      {"VOLUME", Args::maybe_json_list, {}},
      {"USER", Args::whole, {}},
      {"WORKDIR", Args::whole, {}},
      {"ARG", Args::words, {}},
      {"ONBUILD", Args::sub, {}},
      {"STOPSIGNAL", Args::whole, {}},
      {"HEALTHCHECK",
       Args::health,
       {{"interval", text}, {"timeout", text}, {"start-period", text}, {"start-interval", text}, {"retries", text}}},
      {"SHELL", Args::maybe_json, {}},
  };
  return table;
}

std::string upper(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::toupper(c); });
  return out;
}

class Parser {
 public:
  Parser(const LogicalLine& line, std::string_view file_name) : line_(line), file_(file_name) {}
  [[noreturn]] void fail(const std::string& what) const { fail_at(file_, line_.line, what); }

  void parse_flags(const Spec& spec, const std::vector<std::string>& words, Instruction& out) const {
    for (const std::string& word : words) {
      const size_t eq = word.find('=');
      const std::string name = word.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
      const auto it = std::find_if(spec.flags.begin(), spec.flags.end(), [&](const FlagSpec& f) { return f.name == name; });
      if (it == spec.flags.end()) fail("unknown flag for " + out.keyword + ": --" + name);
      std::string value = eq == std::string::npos ? std::string() : word.substr(eq + 1);
      if (it->type == FlagType::boolean) {
        if (eq == std::string::npos) value = "true";
        std::string lower = value;
        std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
        if (lower != "true" && lower != "false") fail("--" + name + " expects true or false, not '" + value + "'");
        value = lower;
      } else if (eq == std::string::npos) {
        fail("--" + name + " needs a value (--" + name + "=...)");
      }
      if (it->type != FlagType::repeated && out.flag(name)) fail("--" + name + " given twice");
      out.flags.emplace_back(name, value);
    }
  }

  // Sets args (and json_form) from the text after the flags.
  void parse_args(Args style, std::string_view rest, char escape, Instruction& out) const {
    switch (style) {
      case Args::maybe_json:
      case Args::maybe_json_list: {
        if (rest.empty()) return;
        const JsonArray json = parse_json_array(rest);
        switch (json.kind) {
          case JsonArray::Kind::strings:
            out.json_form = true;
            out.args = json.items;
            return;
          case JsonArray::Kind::not_strings: fail("JSON array arguments must be strings: " + std::string(rest));
          case JsonArray::Kind::unterminated: fail("unterminated JSON array: " + std::string(rest));
          case JsonArray::Kind::not_json: break;
        }
        if (style == Args::maybe_json) {
          out.args = {std::string(rest)};
        } else {
          out.args = split_blanks(rest);
        }
        return;
      }
      case Args::blank_split: out.args = split_blanks(rest); return;
      case Args::whole:
      case Args::sub:
        if (!rest.empty()) out.args = {std::string(rest)};
        return;
      case Args::words: {
        out.args = parse_words(rest, escape);
        // The legacy "ENV KEY VALUE": one pair, the value is the rest of the line as written.
        if (out.keyword != "ARG" && !out.args.empty() && out.args[0].find('=') == std::string::npos) {
          const std::string key = split_blanks(rest).front();  // rest is trimmed: the key starts it
          const std::string_view value = trim_left(rest.substr(key.size()));
          out.args = {key};
          if (!value.empty()) out.args.emplace_back(value);
        }
        return;
      }
      case Args::health: {
        size_t sep = 0;
        while (sep < rest.size() && !is_space(rest[sep])) ++sep;
        if (sep == 0) return;
        Instruction cmd = out;
        parse_args(Args::maybe_json, trim_left(rest.substr(sep)), escape, cmd);
        out.json_form = cmd.json_form;
        out.args = {upper(rest.substr(0, sep))};
        out.args.insert(out.args.end(), cmd.args.begin(), cmd.args.end());
        return;
      }
    }
  }

  // A shell-form RUN, COPY or ADD word like <<EOF starts a heredoc (BuildKit's reHeredoc,
  // ^(\d*)<<(-?)([^<]*)$ with a non-empty name).
  void reject_heredoc(const Instruction& in, std::string_view rest, char escape) const {
    if (in.json_form || !(in.keyword == "RUN" || in.keyword == "COPY" || in.keyword == "ADD")) return;
    for (const std::string& word : parse_words(rest, escape)) {
      size_t i = 0;
      while (i < word.size() && std::isdigit(static_cast<unsigned char>(word[i]))) ++i;
      if (word.compare(i, 2, "<<") != 0) continue;
      i += 2;
      if (i < word.size() && word[i] == '-') ++i;
      if (i < word.size() && word.find('<', i) == std::string::npos) fail("heredocs are not supported: " + word);
    }
  }

  void check_arguments(const Instruction& in) const {
    const std::string& k = in.keyword;
    const size_t n = in.args.size();
    if (k == "FROM" && n == 0) fail("FROM requires at least one argument");
    if (k == "FROM" && n != 1 && !(n == 3 && upper(in.args[1]) == "AS")) {
      fail("FROM requires either one or three arguments (FROM <image> [AS <name>])");
    }
    if ((k == "COPY" || k == "ADD") && n < 2) fail(k + " requires at least two arguments (sources and destination)");
    if ((k == "RUN" || k == "EXPOSE" || k == "VOLUME" || k == "ARG" || k == "ONBUILD" || k == "HEALTHCHECK" ||
         k == "ENV" || k == "LABEL") &&
        n == 0) {
      fail(k + " requires at least one argument");
    }
    if ((k == "USER" || k == "WORKDIR" || k == "STOPSIGNAL" || k == "MAINTAINER") && n == 0) {
      fail(k + " requires exactly one argument");
    }
    if (k == "SHELL" && !in.json_form) fail("SHELL requires the arguments to be in JSON form");
    if (k == "SHELL" && n == 0) fail("SHELL requires at least one argument");
    if (k == "HEALTHCHECK") check_healthcheck(in);
    if (k == "ARG") {
      for (const std::string& word : in.args)
        if (word.starts_with('=')) fail("ARG: empty name in '" + word + "'");
    }
  }

  void check_healthcheck(const Instruction& in) const {
    const std::string& type = in.args[0];
    if (type == "NONE") {
      if (in.args.size() > 1 || !in.flags.empty()) fail("HEALTHCHECK NONE takes no arguments or flags");
      return;
    }
    if (type != "CMD") fail("unknown HEALTHCHECK type '" + type + "' (expected CMD or NONE)");
    if (in.args.size() < 2) fail("HEALTHCHECK CMD requires a command");
    for (const auto& [name, value] : in.flags) {
      const bool ok = name == "retries" ? is_count(value) : is_duration(value);
      if (!ok) {
        fail("--" + name + " must be " + (name == "retries" ? "a number" : "a duration like 30s or 1m30s") +
             ", not '" + value + "'");
      }
    }
  }

  static bool is_count(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
  }
  // Go's time.ParseDuration syntax, which Docker uses: "0" or number+unit pairs ("1m30.5s").
  static bool is_duration(std::string_view s) {
    if (s == "0") return true;
    if (s.empty()) return false;
    static constexpr std::array<std::string_view, 7> units = {"ns", "us", "µs", "ms", "s", "m", "h"};
    while (!s.empty()) {
      size_t digits = 0, i = 0;
      for (; i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.'); ++i) digits += s[i] != '.';
      if (digits == 0) return false;
      s.remove_prefix(i);
      const auto unit = std::find_if(units.begin(), units.end(), [&](std::string_view u) { return s.starts_with(u); });
      if (unit == units.end()) return false;
      s.remove_prefix(unit->size());
    }
    return true;
  }

 private:
  const LogicalLine& line_;
  std::string_view file_;
};

}  // namespace

Instruction parse_instruction(const LogicalLine& line, char escape, std::string_view file_name) {
  const Parser parser(line, file_name);
  const std::string_view text = trim(line.text);
  size_t end = 0;
  while (end < text.size() && !is_space(text[end])) ++end;
  const std::string_view word = text.substr(0, end);
  Instruction out{.keyword = upper(word), .original = std::string(text), .line = line.line};
  const auto spec = std::find_if(specs().begin(), specs().end(), [&](const Spec& s) { return s.keyword == out.keyword; });
  if (spec == specs().end()) parser.fail("unknown instruction: " + std::string(word));

  const FlagsAndRest split = extract_flags(text.substr(end));
  parser.parse_flags(*spec, split.flags, out);
  const std::string_view rest = trim(split.rest);
  parser.parse_args(spec->args, rest, escape, out);
  parser.reject_heredoc(out, rest, escape);
  parser.check_arguments(out);
  if (out.keyword == "ONBUILD") {
    // The trigger runs in a later build, but a typo in it should fail this one. Its keyword is
    // checked before it is parsed: "ONBUILD ONBUILD ONBUILD ..." would otherwise recurse once
    // per word.
    const std::string_view trigger_text = trim(out.args[0]);
    const std::string trigger_keyword = upper(trigger_text.substr(0, std::min(trigger_text.find_first_of(" \t\r\n\v\f"), trigger_text.size())));
    if (trigger_keyword == "ONBUILD" || trigger_keyword == "FROM" || trigger_keyword == "MAINTAINER") {
      parser.fail(trigger_keyword + " isn't allowed as an ONBUILD trigger");
    }
    (void)parse_instruction({.text = out.args[0], .line = line.line}, escape, file_name);
  }
  return out;
}

}  // namespace kiln::plugin::detail
