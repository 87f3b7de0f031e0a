#include "plugin/dockerfile/words.h"

#include "oci/json.h"
#include "plugin/dockerfile/logical_lines.h"

namespace kiln::plugin::detail {

FlagsAndRest extract_flags(std::string_view line) {
  // A port of extractBuilderFlags: a word in a flag may quote parts ('' or "") and escape a
  // character with a backslash; BuildKit uses '\' here whatever the escape directive says.
  FlagsAndRest out;
  std::string word;
  bool in_word = false, blank_ok = false;
  char quote = 0;
  auto finish_word = [&] {
    if (blank_ok || !word.empty()) out.flags.push_back(word);
    word.clear();
    blank_ok = false;
    in_word = false;
  };
  for (size_t pos = 0; pos < line.size(); ++pos) {
    char ch = line[pos];
    if (!in_word && !quote) {
      if (is_space(ch)) continue;
      if (ch != '-' || pos + 1 == line.size() || line[pos + 1] != '-') {
        out.rest.assign(line.substr(pos));
        return out;
      }
      in_word = true;
    }
    if (quote) {
      if (ch == quote) {
        quote = 0;
        continue;
      }
    } else if (is_space(ch)) {
      if (word == "--") {
        out.rest.assign(line.substr(pos));
        return out;
      }
      finish_word();
      continue;
    } else if (ch == '\'' || ch == '"') {
      quote = ch;
      blank_ok = true;
      continue;
    }
    if (ch == '\\') {
      if (pos + 1 == line.size()) continue;
      ch = line[++pos];
    }
    word += ch;
  }
  if ((in_word || quote) && word != "--") finish_word();
  return out;
}

std::vector<std::string> parse_words(std::string_view text, char escape) {
  // A port of parseWords: quotes group blanks into a word, the escape character protects the
  // next character; both are kept so expansion can give them their meaning later.
  std::vector<std::string> words;
  std::string word;
  bool in_word = false, blank_ok = false;
  char quote = 0;
  for (size_t pos = 0; pos < text.size(); ++pos) {
    char ch = text[pos];
    if (!in_word && !quote) {
      if (is_space(ch)) continue;
      in_word = true;
    }
    if (!quote) {
      if (is_space(ch)) {
        if (blank_ok || !word.empty()) words.push_back(word);
        word.clear();
        blank_ok = in_word = false;
        continue;
      }
      if (ch == '\'' || ch == '"') {
        quote = ch;
        blank_ok = true;
      }
      if (ch == escape) {
        if (pos + 1 == text.size()) continue;  // an escape character at the end is dropped
        word += ch;
        ch = text[++pos];  // an escaped quote does not open a quoted part
      }
      word += ch;
      continue;
    }
    if (ch == quote) {
      quote = 0;
    } else if (ch == escape && quote != '\'') {
      if (pos + 1 == text.size()) continue;
      word += ch;
      ch = text[++pos];
    }
    word += ch;
  }
  if ((in_word || quote) && (blank_ok || !word.empty())) words.push_back(word);
  return words;
}

std::vector<std::string> split_blanks(std::string_view text) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < text.size()) {
    while (pos < text.size() && is_space(text[pos]) && text[pos] != '\n') ++pos;
    if (pos == text.size()) break;
    size_t end = pos;
    while (end < text.size() && !(is_space(text[end]) && text[end] != '\n')) ++end;
    out.emplace_back(text.substr(pos, end - pos));
    pos = end;
  }
  return out;
}

JsonArray parse_json_array(std::string_view text) {
  text = trim_left(text);
  if (!text.starts_with('[')) return {};
  try {
    const oci::Json doc = oci::Json::parse(text);
    if (!doc.is_array()) return {};
    JsonArray out{.kind = JsonArray::Kind::strings};
    for (const auto& item : doc) {
      if (!item.is_string()) return {.kind = JsonArray::Kind::not_strings};
      out.items.push_back(item.get<std::string>());
    }
    return out;
  } catch (const oci::Json::parse_error& e) {
    // nlohmann reports the end of the input as the byte just past it.
    const bool ran_out = e.byte > text.size();
    if (ran_out && trim_left(text.substr(1)).starts_with('"')) return {.kind = JsonArray::Kind::unterminated};
    return {};
  }
}

}  // namespace kiln::plugin::detail
