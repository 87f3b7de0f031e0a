// ENV and LABEL pairs: plugin/dockerfile/key_values.cpp
#include <gtest/gtest.h>

#include "core/error.h"
#include "plugin/dockerfile/dockerfile.h"

namespace kiln::plugin {
namespace {

std::vector<KeyValue> pairs_of(std::string_view line) {
  const Dockerfile df = parse_dockerfile("FROM x\n" + std::string(line) + "\n", "Dockerfile");
  return key_values(df.stages.at(0).instructions.at(0), df.file_name);
}

std::string key_values_error(std::string_view line) {
  try {
    pairs_of(line);
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_class(), ExitClass::usage) << e.what();
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST(DockerfileKeyValues, BothSyntaxes) {
  struct Case {
    std::string_view line;
    std::vector<KeyValue> want;
  };
  const Case cases[] = {
      {"ENV A=1", {{"A", "1"}}},
      {"ENV A=1 B=\"two words\" C='x y' D=a\\ b E=", {{"A", "1"}, {"B", "\"two words\""}, {"C", "'x y'"},
                                                      {"D", "a\\ b"}, {"E", ""}}},
      {"ENV A=\"x=y\" B=a=b", {{"A", "\"x=y\""}, {"B", "a=b"}}},        // the first '=' splits
      {"ENV PATH=/opt/bin:$PATH", {{"PATH", "/opt/bin:$PATH"}}},           // not expanded here
      {"ENV A 1", {{"A", "1"}}},                                           // legacy: one pair
      {"ENV MSG  hello   \"big\" world", {{"MSG", "hello   \"big\" world"}}},  // rest of the line as written
      {"ENV A b=c", {{"A", "b=c"}}},
      {"ENV A=1 \\\n    B=2", {{"A", "1"}, {"B", "2"}}},                 // across a continuation
      {"LABEL org.opencontainers.image.title=\"kiln app\" version=1", {{"org.opencontainers.image.title", "\"kiln app\""},
                                                                        {"version", "1"}}},
  };
  for (const Case& c : cases) EXPECT_EQ(pairs_of(c.line), c.want) << c.line;
}

TEST(DockerfileKeyValues, Errors) {
  struct Case {
    std::string_view line;
    std::string_view error;
  };
  const Case cases[] = {
      {"ENV =x", "Dockerfile:2: ENV: empty name in '=x'"},
      {"ENV A=1 B", "Dockerfile:2: ENV: missing '=' in 'B' (expected KEY=VALUE)"},
      {"ENV A", "Dockerfile:2: ENV A has no value (expected ENV KEY=VALUE or ENV KEY VALUE)"},
      {"ENV", "Dockerfile:2: ENV requires at least one argument"},
      {"LABEL a b", "Dockerfile:2: LABEL: missing '=' in 'a' (expected KEY=VALUE)"},
      {"LABEL a=1 =2", "Dockerfile:2: LABEL: empty name in '=2'"},
  };
  for (const Case& c : cases) EXPECT_EQ(key_values_error(c.line), c.error) << c.line;
  EXPECT_EQ(key_values_error("RUN x"), "Dockerfile:2: RUN has no KEY=VALUE pairs");
}

}  // namespace kiln::plugin
