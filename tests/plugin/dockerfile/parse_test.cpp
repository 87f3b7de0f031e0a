// Directives, comments, continuations and stages: plugin/dockerfile/{logical_lines,dockerfile}.cpp
#include <gtest/gtest.h>

#include "core/error.h"
#include "plugin/dockerfile/dockerfile.h"

namespace kiln::plugin {
namespace {

std::string parse_error(std::string_view text) {
  try {
    parse_dockerfile(text, "Dockerfile");
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_class(), ExitClass::usage) << e.what();
    return e.what();
  }
  return "no error";
}

// "<line> <original>" of every instruction of the first stage, FROM excluded.
std::vector<std::string> lines_of(std::string_view text) {
  std::vector<std::string> out;
  // Named: a range-for keeps only the temporary's last link (the vector) alive, not the Dockerfile.
  const Dockerfile dockerfile = parse_dockerfile(text, "Dockerfile");
  for (const Instruction& i : dockerfile.stages.at(0).instructions)
    out.push_back(std::to_string(i.line) + " " + i.original);
  return out;
}

}  // namespace

TEST(DockerfileParse, ContinuationsAcrossCommentsAndBlankLines) {
  struct Case {
    std::string_view text;
    std::vector<std::string> want;
  };
  const Case cases[] = {
      {"FROM a\nRUN a \\\n  b\n", {"2 RUN a   b"}},
      {"FROM a\nRUN a \\  \t\n b\n", {"2 RUN a  b"}},  // blanks after the escape character
      {"FROM a\nRUN a \\\n# comment\n  # indented comment\n b\nRUN c\n", {"2 RUN a  b", "6 RUN c"}},
      {"FROM a\nRUN a \\\n\n   \n b\n", {"2 RUN a  b"}},  // empty continuation lines
      {"FROM a\n\n# x\n  RUN a\r\nrun b \\", {"4 RUN a", "5 run b"}},  // CRLF, lower case, escape at EOF
      {"FROM a\nRUN echo \\\\\n", {"2 RUN echo \\"}},  // an escaped escape still continues: BuildKit too
      {"FROM a\nRUN a \\\n b \\\n c\nRUN d\n", {"2 RUN a  b  c", "5 RUN d"}},
      {"FROM a\n\\\nRUN x\n", {"2 RUN x"}},  // a line of only the escape character
  };
  for (const Case& c : cases) EXPECT_EQ(lines_of(c.text), c.want) << c.text;
}

TEST(DockerfileParse, EscapeDirective) {
  const Dockerfile df = parse_dockerfile(
      "# escape=`\nFROM mcr.microsoft.com/windows\nCOPY C:\\src\\ C:\\app\\\nRUN dir `\n  C:\\app\n", "Dockerfile");
  EXPECT_EQ(df.escape, '`');
  const auto& ins = df.stages.at(0).instructions;
  ASSERT_EQ(ins.size(), 2u);
  EXPECT_EQ(ins[0].args, (std::vector<std::string>{"C:\\src\\", "C:\\app\\"})) << "a trailing \\ is no continuation";
  EXPECT_EQ(ins[1].args, std::vector<std::string>{"dir   C:\\app"});
  EXPECT_EQ(ins[1].line, 4);
}

TEST(DockerfileParse, DirectivesOnlyAtTheTop) {
  struct Case {
    std::string_view text;
    char escape;
  };
  const Case cases[] = {
      {"# escape=`\nFROM a\n", '`'},
      {"#ESCAPE = ` \nFROM a\n", '`'},                      // key case and blanks
      {"# syntax=docker/dockerfile:1\n# escape=`\nFROM a\n", '`'},
      {"# a comment\n# escape=`\nFROM a\n", '\\'},          // after a comment: a comment
      {"\n# escape=`\nFROM a\n", '\\'},                     // after a blank line
      {"FROM a\n# escape=`\n", '\\'},                       // after an instruction
      {"# unknown=x\n# escape=`\nFROM a\n", '\\'},          // an unknown directive ends them
  };
  for (const Case& c : cases) EXPECT_EQ(parse_dockerfile(c.text, "Dockerfile").escape, c.escape) << c.text;
}

TEST(DockerfileParse, Stages) {
  const Dockerfile df = parse_dockerfile(
      "ARG BASE=alpine\nARG V\nFROM --platform=$BUILDPLATFORM golang:1.22 AS Build\nRUN go build\n"
      "FROM ${BASE}\nCOPY --from=build /out /bin/app\nFROM build as test.v2_x-y\n",
      "Dockerfile");
  ASSERT_EQ(df.global_args.size(), 2u);
  EXPECT_EQ(df.global_args[0].args, std::vector<std::string>{"BASE=alpine"});
  ASSERT_EQ(df.stages.size(), 3u);
  EXPECT_EQ(df.stages[0].base, "golang:1.22");
  EXPECT_EQ(df.stages[0].name, "build") << "stage names are lower-cased";
  EXPECT_EQ(df.stages[0].platform, "$BUILDPLATFORM");
  EXPECT_EQ(df.stages[0].line, 3);
  EXPECT_EQ(df.stages[0].instructions.size(), 1u);
  EXPECT_EQ(df.stages[1].base, "${BASE}");
  EXPECT_EQ(df.stages[1].name, "");
  EXPECT_EQ(df.stages[1].platform, std::nullopt);
  EXPECT_EQ(df.stages[1].index, 1);
  EXPECT_EQ(df.stages[1].instructions.at(0).flag("from"), "build");
  EXPECT_EQ(df.stages[2].name, "test.v2_x-y");
}

TEST(DockerfileParse, Errors) {
  struct Case {
    std::string_view text;
    std::string_view error;
  };
  const Case cases[] = {
      {"", "Dockerfile: no FROM instruction"},
      {"# just a comment\n\nARG A\n", "Dockerfile: no FROM instruction"},
      {"ARG A\nRUN x\nFROM a\n", "Dockerfile:2: RUN before the first FROM (only ARG may come before FROM)"},
      {"# escape=x\nFROM a\n", "Dockerfile:1: invalid escape directive 'x' (must be \\ or `)"},
      {"# escape=`\n# escape=\\\nFROM a\n", "Dockerfile:2: only one escape parser directive can be used"},
      {"FROM a\nRUNN x\n", "Dockerfile:2: unknown instruction: RUNN"},
      {"FROM a\n\nRUN a \\\n# c\n b\nfrobnicate\n", "Dockerfile:6: unknown instruction: frobnicate"},
      {"FROM\n", "Dockerfile:1: FROM requires at least one argument"},
      {"FROM a b\n", "Dockerfile:1: FROM requires either one or three arguments (FROM <image> [AS <name>])"},
      {"FROM a FOR b\n", "Dockerfile:1: FROM requires either one or three arguments (FROM <image> [AS <name>])"},
      {"FROM a AS 1st\n", "Dockerfile:1: invalid stage name '1st' (a letter, then letters, digits, '-', '_' or '.')"},
      {"FROM a AS b/c\n", "Dockerfile:1: invalid stage name 'b/c' (a letter, then letters, digits, '-', '_' or '.')"},
      {"FROM a AS x\nRUN y\nFROM b AS X\n", "Dockerfile:3: duplicate stage name 'x' (first at line 1)"},
      {"FROM --platfrom=linux/amd64 a\n", "Dockerfile:1: unknown flag for FROM: --platfrom"},
  };
  for (const Case& c : cases) EXPECT_EQ(parse_error(c.text), c.error) << c.text;
}

}  // namespace kiln::plugin
