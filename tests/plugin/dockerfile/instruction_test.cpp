// JSON and shell forms, flags, per-keyword arguments: plugin/dockerfile/{instruction_parser,words}.cpp
#include <gtest/gtest.h>

#include "core/error.h"
#include "plugin/dockerfile/dockerfile.h"

namespace kiln::plugin {
namespace {

// The one instruction after "FROM x".
Instruction only(std::string_view line) {
  const Dockerfile df = parse_dockerfile("FROM x\n" + std::string(line) + "\n", "Dockerfile");
  return df.stages.at(0).instructions.at(0);
}

std::string instruction_error(std::string_view line) {
  try {
    only(line);
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_class(), ExitClass::usage) << e.what();
    return e.what();
  }
  return "no error";
}

using Args = std::vector<std::string>;
using Flags = std::vector<std::pair<std::string, std::string>>;

}  // namespace

TEST(DockerfileInstruction, JsonAndShellForms) {
  struct Case {
    std::string_view line;
    Args args;
    bool json;
  };
  const Case cases[] = {
      {R"(CMD ["a", "b c"])", {"a", "b c"}, true},
      {R"(cmd  [ "a\"q", "\u00e9\\" ]  )", {"a\"q", "é\\"}, true},
      {R"(ENTRYPOINT [])", {}, true},
      {"CMD [\"a\", \\\n  # comment\n  \"b\"]", {"a", "b"}, true},  // across a continuation
      {R"(CMD [not json])", {"[not json]"}, false},
      {R"(RUN ["a" "b"])", {R"(["a" "b"])"}, false},        // not JSON: BuildKit runs it in a shell
      {R"(RUN [ -f x ] && echo "y  z")", {R"([ -f x ] && echo "y  z")"}, false},
      {R"(RUN ["a"] && b)", {R"(["a"] && b)"}, false},
      {R"(CMD echo  "a  b")", {R"(echo  "a  b")"}, false},  // the rest of the line, as written
      {R"(CMD)", {}, false},
      {R"(COPY ["a b", "/c d/"])", {"a b", "/c d/"}, true},
      {R"(COPY  a   "b c" /d/)", {"a", "\"b", "c\"", "/d/"}, false},  // split on blanks, quotes or not
      {R"(VOLUME ["/data"])", {"/data"}, true},
      {R"(VOLUME /a /b)", {"/a", "/b"}, false},
      {R"(SHELL ["powershell", "-Command"])", {"powershell", "-Command"}, true},
      {R"(EXPOSE 80/tcp  443)", {"80/tcp", "443"}, false},
      {R"(WORKDIR /my  dir)", {"/my  dir"}, false},
      {R"(USER app:app)", {"app:app"}, false},
      {R"(ARG A="x y" B)", {"A=\"x y\"", "B"}, false},
      {R"(ONBUILD  RUN echo "hi")", {"RUN echo \"hi\""}, false},
      {R"(HEALTHCHECK NONE)", {"NONE"}, false},
      {R"(HEALTHCHECK cmd curl -f http://x/ || exit 1)", {"CMD", "curl -f http://x/ || exit 1"}, false},
      {R"(HEALTHCHECK CMD ["curl", "-f", "http://x/"])", {"CMD", "curl", "-f", "http://x/"}, true},
  };
  for (const Case& c : cases) {
    const Instruction i = only(c.line);
    EXPECT_EQ(i.args, c.args) << c.line;
    EXPECT_EQ(i.json_form, c.json) << c.line;
  }
}

TEST(DockerfileInstruction, Flags) {
  struct Case {
    std::string_view line;
    Flags flags;
    Args args;
  };
  const Case cases[] = {
      {"COPY --from=build --chown=1:1 --link a b", {{"from", "build"}, {"chown", "1:1"}, {"link", "true"}}, {"a", "b"}},
      {"COPY --link=FALSE --parents a b", {{"link", "false"}, {"parents", "true"}}, {"a", "b"}},
      {"COPY --chmod=\"0755\" -- --a b", {{"chmod", "0755"}}, {"--a", "b"}},  // quotes removed; "--" ends flags
      {"COPY --exclude=*.md --exclude=*.txt . /", {{"exclude", "*.md"}, {"exclude", "*.txt"}}, {".", "/"}},
      {"ADD --checksum=sha256:ab --keep-git-dir https://x/y.git /y",
       {{"checksum", "sha256:ab"}, {"keep-git-dir", "true"}},
       {"https://x/y.git", "/y"}},
      {"RUN --mount=type=cache,target=/root/.cache --mount=type=secret,id=a --network=none make",
       {{"mount", "type=cache,target=/root/.cache"}, {"mount", "type=secret,id=a"}, {"network", "none"}},
       {"make"}},
      {"RUN --security=insecure [\"make\"]", {{"security", "insecure"}}, {"make"}},
      {"HEALTHCHECK --interval=1m30s --timeout=500ms --start-period=0 --start-interval=2.5s --retries=3 CMD true",
       {{"interval", "1m30s"}, {"timeout", "500ms"}, {"start-period", "0"}, {"start-interval", "2.5s"}, {"retries", "3"}},
       {"CMD", "true"}},
      {"RUN echo --not-a-flag", {}, {"echo --not-a-flag"}},
  };
  for (const Case& c : cases) {
    const Instruction i = only(c.line);
    EXPECT_EQ(i.flags, c.flags) << c.line;
    EXPECT_EQ(i.args, c.args) << c.line;
  }
  EXPECT_EQ(only("COPY --from=a x y").flag("chown"), std::nullopt);
}

TEST(DockerfileInstruction, Errors) {
  struct Case {
    std::string_view line;
    std::string_view error;
  };
  const Case cases[] = {
      {R"(CMD ["a", )", R"(Dockerfile:2: unterminated JSON array: ["a",)"},
      {R"(RUN ["a", "b")", R"(Dockerfile:2: unterminated JSON array: ["a", "b")"},
      {R"(ENTRYPOINT ["a", "b)", R"(Dockerfile:2: unterminated JSON array: ["a", "b)"},
      {R"(COPY ["a", 1])", R"(Dockerfile:2: JSON array arguments must be strings: ["a", 1])"},
      {"COPY --frm=a b c", "Dockerfile:2: unknown flag for COPY: --frm"},
      {"ADD --from=a b c", "Dockerfile:2: unknown flag for ADD: --from"},
      {"ENV --x=1 A=b", "Dockerfile:2: unknown flag for ENV: --x"},
      {"COPY --from a b", "Dockerfile:2: --from needs a value (--from=...)"},
      {"COPY --link=yes a b", "Dockerfile:2: --link expects true or false, not 'yes'"},
      {"COPY --from=a --from=b c d", "Dockerfile:2: --from given twice"},
      {"COPY a", "Dockerfile:2: COPY requires at least two arguments (sources and destination)"},
      {"ADD", "Dockerfile:2: ADD requires at least two arguments (sources and destination)"},
      {"RUN", "Dockerfile:2: RUN requires at least one argument"},
      {"EXPOSE", "Dockerfile:2: EXPOSE requires at least one argument"},
      {"WORKDIR", "Dockerfile:2: WORKDIR requires exactly one argument"},
      {"SHELL /bin/bash -c", "Dockerfile:2: SHELL requires the arguments to be in JSON form"},
      {"SHELL []", "Dockerfile:2: SHELL requires at least one argument"},
      {"RUN cat <<EOF > /x", "Dockerfile:2: heredocs are not supported: <<EOF"},
      {"COPY <<-\"EOT\" /x", "Dockerfile:2: heredocs are not supported: <<-\"EOT\""},
      {"HEALTHCHECK NONE x", "Dockerfile:2: HEALTHCHECK NONE takes no arguments or flags"},
      {"HEALTHCHECK --retries=1 NONE", "Dockerfile:2: HEALTHCHECK NONE takes no arguments or flags"},
      {"HEALTHCHECK CMD", "Dockerfile:2: HEALTHCHECK CMD requires a command"},
      {"HEALTHCHECK RUN x", "Dockerfile:2: unknown HEALTHCHECK type 'RUN' (expected CMD or NONE)"},
      {"HEALTHCHECK --interval=5 CMD x", "Dockerfile:2: --interval must be a duration like 30s or 1m30s, not '5'"},
      {"HEALTHCHECK --retries=-1 CMD x", "Dockerfile:2: --retries must be a number, not '-1'"},
      {"ARG A=1 =2", "Dockerfile:2: ARG: empty name in '=2'"},
      {"ARG", "Dockerfile:2: ARG requires at least one argument"},
      {"ONBUILD FROM x", "Dockerfile:2: FROM isn't allowed as an ONBUILD trigger"},
      {"ONBUILD COPY --frm=a b c", "Dockerfile:2: unknown flag for COPY: --frm"},
  };
  for (const Case& c : cases) EXPECT_EQ(instruction_error(c.line), c.error) << c.line;
  EXPECT_EQ(instruction_error("RUN cat <<<\"here string\""), "no error");
  EXPECT_EQ(instruction_error("RUN echo '<<EOF'"), "no error");
}

}  // namespace kiln::plugin
