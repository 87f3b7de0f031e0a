// kiln-probe as the drivers use it: a separate static binary given a request, answering with
// one JSON line; last, inside a real runc container whose rootfs holds nothing but
// busybox-static and the probe, as a scratch-like image would.
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/process.h"
#include "core/temp_dir.h"
#include "inspect/base64.h"
#include "inspect/facts.h"
#include "tests/support/files.h"
#include "tests/support/rootfs.h"
#include "tests/support/runc_container.h"
#include "tests/support/tools.h"

#ifndef KILN_PROBE_BINARY
#error "KILN_PROBE_BINARY must name the kiln-probe executable under test"
#endif

namespace kiln::inspect {
namespace {
using kiln::testing::read_file;

namespace fs = std::filesystem;
using kiln::testing::run_ok;

ProcessResult probe(const std::vector<std::string>& args, const std::map<std::string, std::string>& env = {}) {
  std::vector<std::string> argv{KILN_PROBE_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  ProcessOptions options;
  options.extra_env = env;
  options.timeout = std::chrono::seconds(60);
  return run_process(argv, options);
}

// The one line kiln-probe printed, checked to be exactly one line, as Facts.
Facts parse_facts(const std::string& out) {
  EXPECT_FALSE(out.empty());
  EXPECT_EQ(out.find('\n'), out.size() - 1) << out;
  return facts_from_json(nlohmann::json::parse(out));
}


TEST(KilnProbe, IsStaticallyLinked) {
  const std::string description = run_ok({"file", "-L", KILN_PROBE_BINARY});
  EXPECT_NE(description.find("statically linked"), std::string::npos) << description;
  EXPECT_EQ(description.find("interpreter"), std::string::npos) << description;
}

TEST(KilnProbe, Version) {
  const auto result = probe({"--version"});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_EQ(result.out.rfind("kiln-probe ", 0), 0u) << result.out;
}

TEST(KilnProbe, CheckAnswersFromTheRootItIsGiven) {
  TempDir root("kiln-probe-root");
  kiln::testing::make_merged_usr(root.path());
  kiln::testing::copy_with_libraries(root.path(), "/bin/ls", "/usr/local/app/main");
  fs::create_directories(root.path() / "etc");
  std::ofstream(root.path() / "etc/os-release") << "ID=kiln-test\n";
  fs::create_symlink("/etc/shadow", root.path() / "etc/host-shadow");  // must not reach the host
  TempDir work("kiln-probe-request");
  const FactRequest request{
      .paths = {{.path = "/usr/local/app/main", .sha256 = true, .elf = true},
                {.path = "/etc/os-release", .contents = true},
                {.path = "/etc/host-shadow", .contents = true},
                {.path = "/missing"}},
      .commands = {{.id = "version", .argv = {"/usr/local/app/main", "--version"}}}};
  std::ofstream(work.path() / "request.json") << to_json(request).dump();

  const auto result = probe({"check", "--request", (work.path() / "request.json").string(), "--root", root.path().string()});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const Facts facts = parse_facts(result.out);
  ASSERT_EQ(facts.paths.size(), 4u);
  const PathFacts& main = facts.paths[0];
  EXPECT_EQ(main.stat.type, FileStat::Type::file);
  EXPECT_EQ(main.sha256, run_ok({"sha256sum", "/bin/ls"}).substr(0, 64));
  ASSERT_TRUE(main.elf) << main.error;
  EXPECT_EQ(main.elf->architecture, "amd64");
  EXPECT_TRUE(main.elf->interpreter_found);
  for (const auto& library : main.elf->libraries) EXPECT_NE(library.resolved, "") << library.name;
  EXPECT_EQ(facts.paths[1].contents, "ID=kiln-test\n");
  EXPECT_EQ(facts.paths[2].contents, std::nullopt);
  EXPECT_NE(facts.paths[2].error, "");
  EXPECT_FALSE(facts.paths[3].exists);
  ASSERT_EQ(facts.commands.size(), 1u);
  EXPECT_FALSE(facts.commands[0].ran);
  EXPECT_EQ(facts.commands[0].error, "commands are not run when kiln-probe reads a --root other than /");
}

TEST(KilnProbe, RequestFromTheEnvironmentAsBase64) {
  const FactRequest request{.paths = {{.path = "/bin/busybox", .elf = true}},
                            .commands = {{.id = "hi", .argv = {"echo", "hi"}, .env = {{"PATH", "/usr/bin:/bin"}}}}};
  const auto result = probe({"check"}, {{"KILN_PROBE_REQUEST", base64_encode(to_json(request).dump())}});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const Facts facts = parse_facts(result.out);
  ASSERT_TRUE(facts.paths[0].elf);
  EXPECT_FALSE(facts.paths[0].elf->dynamic);
  EXPECT_TRUE(facts.commands[0].ran);
  EXPECT_EQ(facts.commands[0].stdout_text, "hi\n");
}

TEST(KilnProbe, WrappedBase64AsTheBase64ToolWritesIt) {
  const FactRequest request{.paths = {{.path = "/a-path-long-enough-that-the-encoding-needs-more-than-one-line"}}};
  std::string encoded = base64_encode(to_json(request).dump());
  for (std::size_t at = 76; at < encoded.size(); at += 77) encoded.insert(at, "\n");
  const auto result = probe({"check"}, {{"KILN_PROBE_REQUEST", encoded + "\n"}});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(parse_facts(result.out).paths.at(0).path, request.paths[0].path);
}

TEST(KilnProbe, AnUnusableRootExitsThree) {
  TempDir work("kiln-probe-root3");
  std::ofstream(work.path() / "request.json") << "{}";
  const auto result = probe({"check", "--request", (work.path() / "request.json").string(), "--root", "/nonexistent/root"});
  EXPECT_EQ(result.exit_code, 3);
  EXPECT_EQ(result.out, "");
  EXPECT_EQ(result.err, "kiln-probe: cannot open image root /nonexistent/root: No such file or directory\n");
}

TEST(KilnProbe, ABadRequestExitsTwoWithNothingOnStdout) {
  TempDir work("kiln-probe-bad");
  std::ofstream(work.path() / "not-json") << "{paths:";
  std::ofstream(work.path() / "empty-argv") << R"({"commands":[{"id":"x","argv":[]}]})";
  const std::vector<std::pair<std::vector<std::string>, std::map<std::string, std::string>>> cases = {
      {{"check"}, {}},
      {{"check", "--request", (work.path() / "not-json").string()}, {}},
      {{"check", "--request", (work.path() / "empty-argv").string()}, {}},
      {{"check", "--request", (work.path() / "absent").string()}, {}},
      {{"check", "--bogus"}, {}},
      {{"check"}, {{"KILN_PROBE_REQUEST", "not base64!"}}},
      {{"frobnicate"}, {}},
      {{}, {}},
  };
  for (const auto& [args, env] : cases) {
    // Without the variable set by the test's own environment, "check" alone has no request.
    const auto result = probe(args, env);
    EXPECT_EQ(result.exit_code, 2) << (args.empty() ? "" : args.back()) << ": " << result.err;
    EXPECT_EQ(result.out, "") << (args.empty() ? "" : args.back());
    EXPECT_NE(result.err, "");
  }
}

TEST(KilnProbe, InstallCopiesItselfExecutable) {
  TempDir target("kiln-probe-install");
  ::umask(077);  // the copy must be 0755 whatever the umask
  const auto result = probe({"install", target.path().string()});
  ::umask(022);
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "");
  const fs::path copy = target.path() / "kiln-probe";
  EXPECT_EQ(fs::status(copy).permissions(), static_cast<fs::perms>(0755));
  EXPECT_EQ(read_file(copy), read_file(KILN_PROBE_BINARY));
  EXPECT_EQ(run_process({copy.string(), "--version"}).exit_code, 0);
  EXPECT_EQ(probe({"install", "/nonexistent/dir"}).exit_code, 3);
  EXPECT_EQ(probe({"install"}).exit_code, 2);
}

TEST(KilnProbe, RunsUnderRuncInARootfsOfBusyboxAndItself) {
  kiln::testing::RuncContainer container;
  kiln::testing::copy_into(container.rootfs(), "/bin/busybox", "/bin/busybox");
  fs::create_symlink("busybox", container.rootfs() / "bin/sh");
  kiln::testing::copy_into(container.rootfs(), KILN_PROBE_BINARY, "/kiln-probe");
  const FactRequest request{
      .paths = {{.path = "/bin/sh", .sha256 = true, .elf = true}, {.path = "/kiln-probe", .elf = true}, {.path = "/etc"}},
      .commands = {{.id = "shell", .argv = {"sh", "-c", "echo out; echo err >&2; exit 7"}, .env = {{"PATH", "/bin"}}},
                   {.id = "cwd", .argv = {"/bin/busybox", "pwd"}, .workdir = "/bin"},
                   {.id = "slow", .argv = {"/bin/busybox", "sleep", "30"}, .timeout_seconds = 0.5},
                   {.id = "absent", .argv = {"nothing-here"}, .env = {{"PATH", "/bin"}}}}};
  const auto result = container.run({"/kiln-probe", "check"},
                                    {"KILN_PROBE_REQUEST=" + base64_encode(to_json(request).dump())});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const Facts facts = parse_facts(result.out);

  ASSERT_EQ(facts.paths.size(), 3u);
  EXPECT_EQ(facts.paths[0].stat.type, FileStat::Type::symlink);
  EXPECT_EQ(facts.paths[0].sha256, run_ok({"sha256sum", "/bin/busybox"}).substr(0, 64));
  ASSERT_TRUE(facts.paths[0].elf);
  EXPECT_FALSE(facts.paths[0].elf->dynamic);
  ASSERT_TRUE(facts.paths[1].elf);
  EXPECT_FALSE(facts.paths[1].elf->dynamic);  // the probe itself needs nothing from the image
  EXPECT_FALSE(facts.paths[2].exists);

  ASSERT_EQ(facts.commands.size(), 4u);
  EXPECT_TRUE(facts.commands[0].ran);
  EXPECT_EQ(facts.commands[0].exit_code, 7);
  EXPECT_EQ(facts.commands[0].stdout_text, "out\n");
  EXPECT_EQ(facts.commands[0].stderr_text, "err\n");
  EXPECT_EQ(facts.commands[1].stdout_text, "/bin\n");
  EXPECT_TRUE(facts.commands[2].timed_out);
  EXPECT_EQ(facts.commands[2].exit_code, -9);
  EXPECT_LT(facts.commands[2].seconds, 10);
  EXPECT_FALSE(facts.commands[3].ran);
  EXPECT_EQ(facts.commands[3].error, "\"nothing-here\" not found in PATH /bin");
}

// A scratch image: nothing in the rootfs but the probe, so nothing it could need at run time.
TEST(KilnProbe, RunsUnderRuncAloneInAnEmptyRootfs) {
  kiln::testing::RuncContainer container;
  kiln::testing::copy_into(container.rootfs(), KILN_PROBE_BINARY, "/kiln-probe");
  const FactRequest request{.paths = {{.path = "/kiln-probe", .sha256 = true}, {.path = "/bin/sh"}},
                            .commands = {{.id = "self", .argv = {"/kiln-probe", "--version"}}}};
  const auto result = container.run({"/kiln-probe", "check"},
                                    {"KILN_PROBE_REQUEST=" + base64_encode(to_json(request).dump())});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const Facts facts = parse_facts(result.out);
  EXPECT_EQ(facts.paths[0].sha256, run_ok({"sha256sum", KILN_PROBE_BINARY}).substr(0, 64));
  EXPECT_FALSE(facts.paths[1].exists);
  EXPECT_TRUE(facts.commands[0].ran);
  EXPECT_EQ(facts.commands[0].exit_code, 0);
  EXPECT_EQ(facts.commands[0].stdout_text.rfind("kiln-probe ", 0), 0u);
}

}  // namespace
}  // namespace kiln::inspect
