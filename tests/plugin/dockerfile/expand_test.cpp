// Variable expansion and quote removal: plugin/dockerfile/expand.cpp
#include <gtest/gtest.h>

#include "core/error.h"
#include "plugin/dockerfile/dockerfile.h"

namespace kiln::plugin {
namespace {

const std::map<std::string, std::string> vars = {
    {"a", "A"}, {"b", "B"}, {"empty", ""}, {"sp", "x y"}, {"path", "/usr/bin"}, {"_u1", "U"}};

std::string expansion_error(std::string_view word, char escape = '\\') {
  try {
    expand_word(word, vars, escape, "Dockerfile", 7);
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_class(), ExitClass::usage) << e.what();
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST(Expand, Words) {
  struct Case {
    std::string_view word;
    std::string_view want;
    char escape = '\\';
  };
  const Case cases[] = {
      {"plain", "plain"},
      {"$a", "A"},
      {"${a}x", "Ax"},
      {"$ax", ""},                       // the name is "ax", which is unset
      {"$a-$b.$_u1", "A-B.U"},
      {"$unset", ""},
      {"${unset}", ""},
      {"$", "$"},
      {"a$", "a$"},
      {"$1x", "$1x"},                    // names start with a letter or '_'
      {"${unset:-d}", "d"},
      {"${empty:-d}", "d"},
      {"${empty-d}", ""},                // without ':', only an unset variable takes the default
      {"${unset-d}", "d"},
      {"${a:-d}", "A"},
      {"${a:+alt}", "alt"},
      {"${empty:+alt}", ""},
      {"${empty+alt}", "alt"},
      {"${unset+alt}", ""},
      {"${unset:-${b}}", "B"},           // nested
      {"${unset:-${unset2:-$a}}", "A"},
      {"${unset:-x y}", "x y"},
      {"${unset:-\"q}\"}", "q}"},        // quotes inside the word
      {"${unset:-a\\}b}", "a}b"},
      {"\\$a", "$a"},                    // escaped dollar
      {"\\\\$a", "\\A"},
      {"a\\ b", "a b"},                  // escape removed outside quotes
      {"\\x", "x"},
      {"end\\", "end"},
      {"'$a \\x'", "$a \\x"},            // single quotes: literal
      {"\"$a \\x \\\" \\$ \\\\\"", "A \\x \" $ \\"},  // double quotes: only ", $ and \ escape
      {"\"$sp\"", "x y"},
      {"a'b'\"c\"d", "abcd"},
      {"'\"'\"'\"", "\"'"},
      {"`$a", "$a", '`'},                // escape=`: the backtick escapes
      {"C:\\dir\\$a", "C:\\dir\\A", '`'},  // and backslashes are plain
      {"\"C:\\dir `\"x`\"\"", "C:\\dir \"x\"", '`'},
      {"$path/x", "/usr/bin/x"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(expand_word(c.word, vars, c.escape, "Dockerfile", 7), c.want) << c.word;
  }
}

TEST(Expand, Errors) {
  struct Case {
    std::string_view word;
    std::string_view error;
  };
  const Case cases[] = {
      {"${a", "Dockerfile:7: missing '}': ${a"},
      {"${", "Dockerfile:7: missing '}': ${"},
      {"${a:", "Dockerfile:7: missing '}': ${a:"},
      {"${a:-x", "Dockerfile:7: missing '}': ${a:-x"},
      {"${}", "Dockerfile:7: bad substitution: ${}"},
      {"${:-x}", "Dockerfile:7: bad substitution: ${:-x}"},
      {"${1}", "Dockerfile:7: bad substitution: ${1}"},
      {"${a:?}", "Dockerfile:7: unsupported modifier ':?' in substitution: ${a:?}"},
      {"${a?err}", "Dockerfile:7: unsupported modifier '?' in substitution: ${a?err}"},
      {"${a#pre}", "Dockerfile:7: unsupported modifier '#' in substitution: ${a#pre}"},
      {"${a:=x}", "Dockerfile:7: unsupported modifier ':=' in substitution: ${a:=x}"},
      {"'abc", "Dockerfile:7: missing closing single quote: 'abc"},
      {"\"abc", "Dockerfile:7: missing closing double quote: \"abc"},
      {"\"abc\\\"", "Dockerfile:7: missing closing double quote: \"abc\\\""},
  };
  for (const Case& c : cases) EXPECT_EQ(expansion_error(c.word), c.error) << c.word;
}

TEST(Expand, WordsFromTheParser) {
  const Dockerfile df = parse_dockerfile("FROM x\nCOPY $a ${unset} \"${sp}\" /dst/\n", "Dockerfile");
  const Instruction& copy = df.stages.at(0).instructions.at(0);
  EXPECT_EQ(expand_words(copy.args, vars, df.escape, df.file_name, copy.line),
            (std::vector<std::string>{"A", "", "x y", "/dst/"}))
      << "an empty expansion stays an empty word";
}

}  // namespace kiln::plugin
