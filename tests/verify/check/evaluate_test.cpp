#include "verify/check/evaluate.h"

#include <gtest/gtest.h>

#include "verify/check/request.h"
#include "verify/spec/app_suite.h"

namespace kiln::verify {
namespace {

using Type = inspect::FileStat::Type;

const oci::Json kConfig = oci::Json::parse(R"({"architecture": "amd64", "os": "linux", "config": {
  "Env": ["PATH=/usr/bin:/bin", "APP=/usr/local/app", "MODE=prod"],
  "Entrypoint": ["/usr/local/app/main"], "Cmd": null, "WorkingDir": "/usr/local/app", "User": "65532",
  "Labels": {"org.opencontainers.image.version": "1.2.3"},
  "ExposedPorts": {"8080/tcp": {}}, "Volumes": {"/data": {}}}})");
const oci::Platform kAmd64{.os = "linux", .architecture = "amd64"};

inspect::PathFacts file_facts(const std::string& path, std::uint32_t mode, std::uint64_t size = 100) {
  return {.path = path, .exists = true, .stat = {.type = Type::file, .mode = mode, .size = size}};
}

// The one result of a spec holding one test.
TestResult judge(const Spec& spec, const inspect::Facts& facts, const std::string& driver = "local") {
  const auto suites = evaluate({spec}, kConfig, kAmd64, facts, driver);
  EXPECT_EQ(suites.size(), 1u);
  EXPECT_EQ(suites[0].tests.size(), 1u);
  return suites.at(0).tests.at(0);
}

Spec with(FileExistenceTest test) { return Spec{.name = "s", .file_existence_tests = {std::move(test)}}; }
Spec with(FileContentTest test) { return Spec{.name = "s", .file_content_tests = {std::move(test)}}; }
Spec with(ElfTest test) { return Spec{.name = "s", .elf_tests = {std::move(test)}}; }
Spec with(CommandTest test) { return Spec{.name = "s", .command_tests = {std::move(test)}}; }
Spec with(MetadataTest test) { return Spec{.name = "s", .metadata_test = std::move(test)}; }

void expect(const TestResult& result, Status status, const std::string& message) {
  EXPECT_EQ(status_name(result.status), std::string(status_name(status))) << result.message;
  EXPECT_EQ(result.message, message);
}

TEST(EvaluateFileExistence, PassesAndNamesEveryFailedAssertion) {
  const FileExistenceTest test{.name = "app", .path = "$APP/main", .permissions = "-rwxr-xr-x", .uid = 0, .gid = 0,
                               .is_executable_by = ExecutableBy::other, .mode = 0755,
                               .sha256 = std::string(64, 'a'), .type = "file", .non_empty = true};
  inspect::PathFacts good = file_facts("/usr/local/app/main", 0755);
  good.sha256 = std::string(64, 'a');
  expect(judge(with(test), {.paths = {good}}), Status::passed, "");

  inspect::PathFacts bad = file_facts("/usr/local/app/main", 0640, 0);
  bad.stat.uid = 1000;
  bad.stat.gid = 1000;
  bad.sha256 = std::string(64, 'b');
  expect(judge(with(test), {.paths = {bad}}), Status::failed,
         "permissions: expected -rwxr-xr-x, found -rw-r-----; mode: expected 0755, found 0640; uid: expected 0, found "
         "1000; gid: expected 0, found 1000; isExecutableBy: expected executable by other, found -rw-r-----; size: "
         "expected more than 0 bytes, found 0; sha256: expected " + std::string(64, 'a') + ", found " +
         std::string(64, 'b'));
}

TEST(EvaluateFileExistence, ExistenceBothWays) {
  const inspect::PathFacts absent{.path = "/x"};
  expect(judge(with(FileExistenceTest{.name = "t", .path = "/x"}), {.paths = {absent}}), Status::failed,
         "expected /x to exist, not found");
  expect(judge(with(FileExistenceTest{.name = "t", .path = "/x", .should_exist = false}), {.paths = {absent}}),
         Status::passed, "");
  inspect::PathFacts dir{.path = "/x", .exists = true, .stat = {.type = Type::directory, .mode = 0755}};
  expect(judge(with(FileExistenceTest{.name = "t", .path = "/x", .should_exist = false}), {.paths = {dir}}),
         Status::failed, "expected /x not to exist, found a directory");
  expect(judge(with(FileExistenceTest{.name = "t", .path = "/x", .type = "file"}), {.paths = {dir}}), Status::failed,
         "type: expected file, found directory");
  inspect::PathFacts link{.path = "/x", .exists = true, .stat = {.type = Type::symlink, .mode = 0777}};
  expect(judge(with(FileExistenceTest{.name = "t", .path = "/x", .permissions = "Lrwxrwxrwx"}), {.paths = {link}}),
         Status::passed, "");
}

TEST(EvaluateFileExistence, FactsNotFoundOutAreErrors) {
  const inspect::PathFacts unreadable{.path = "/x", .error = "layer sha256:ab… could not be read"};
  expect(judge(with(FileExistenceTest{.name = "t", .path = "/x"}), {.paths = {unreadable}}), Status::error,
         "/x: layer sha256:ab… could not be read");
  expect(judge(with(FileExistenceTest{.name = "t", .path = "/x"}), {}), Status::error,
         "the driver gave no facts about /x");
  inspect::PathFacts no_hash = file_facts("/x", 0644);
  no_hash.error = "read failed";
  expect(judge(with(FileExistenceTest{.name = "t", .path = "/x", .sha256 = std::string(64, 'a')}), {.paths = {no_hash}}),
         Status::error, "/x: SHA-256 not found out: read failed");
}

TEST(EvaluateFileContent, RegexSearchesTheWholeFile) {
  inspect::PathFacts os = file_facts("/etc/os-release", 0644);
  os.contents = "PRETTY_NAME=\"Debian GNU/Linux 12\"\nID=debian\n";
  const FileContentTest good{.name = "os", .path = "/etc/os-release", .expected_contents = {"ID=deb", "(?m)^ID=debian$"},
                             .excluded_contents = {"alpine"}};
  expect(judge(with(good), {.paths = {os}}), Status::passed, "");
  const FileContentTest bad{.name = "os", .path = "/etc/os-release", .expected_contents = {"^ID=debian$"},
                            .excluded_contents = {"Debian", "ubuntu"}};
  expect(judge(with(bad), {.paths = {os}}), Status::failed,
         "expectedContents: \"^ID=debian$\" not found; excludedContents: \"Debian\" found");
  // A version string inside a binary.
  inspect::PathFacts binary = file_facts("/bin/app", 0755);
  binary.contents = std::string("\x7f" "ELF\0\0\xff version 1.2.3\0", 22);
  expect(judge(with(FileContentTest{.name = "v", .path = "/bin/app", .expected_contents = {"version 1\\.2\\.3"}}),
               {.paths = {binary}}),
         Status::passed, "");
}

TEST(EvaluateFileContent, MissingDirectoryTruncatedAndUnread) {
  const FileContentTest test{.name = "c", .path = "/x", .expected_contents = {"a"}};
  expect(judge(with(test), {.paths = {{.path = "/x"}}}), Status::failed, "expected /x to exist, not found");
  expect(judge(with(test), {.paths = {{.path = "/x", .exists = true, .stat = {.type = Type::directory, .mode = 0755}}}}),
         Status::failed, "expected a file at /x, found a directory");
  inspect::PathFacts big = file_facts("/x", 0644);
  big.contents = "aaaa";
  big.contents_truncated = true;
  expect(judge(with(test), {.paths = {big}}), Status::error,
         "/x: larger than the content limit; only the first 4 bytes were read");
  inspect::PathFacts unread = file_facts("/x", 0000);
  unread.error = "permission denied";
  expect(judge(with(test), {.paths = {unread}}), Status::error, "/x: contents not read: permission denied");
}

inspect::PathFacts elf_file(inspect::ElfFacts elf) {
  inspect::PathFacts facts = file_facts("/usr/local/app/main", 0755);
  facts.elf = std::move(elf);
  return facts;
}

TEST(EvaluateElf, ArchitectureAndClass) {
  const ElfTest test{.name = "elf", .path = "/usr/local/app/main", .loadable = false};
  expect(judge(with(test), {.paths = {elf_file({.bits = 64, .machine = 62, .architecture = "amd64"})}}), Status::passed, "");
  expect(judge(with(test), {.paths = {elf_file({.bits = 64, .machine = 183, .architecture = "arm64"})}}), Status::failed,
         "architecture: expected amd64, found arm64 (ELF machine 183, 64-bit)");
  // x32: EM_X86_64 in a 32-bit ELF is not an amd64 binary.
  expect(judge(with(test), {.paths = {elf_file({.bits = 32, .machine = 62, .architecture = "amd64"})}}), Status::failed,
         "ELF class: expected 64-bit for amd64, found 32-bit");
  expect(judge(with(ElfTest{.name = "e", .path = "/usr/local/app/main", .architecture = "arm64", .loadable = false}),
               {.paths = {elf_file({.bits = 64, .machine = 183, .architecture = "arm64"})}}),
         Status::passed, "");
  inspect::PathFacts script = file_facts("/usr/local/app/main", 0755);
  script.not_elf = true;
  expect(judge(with(test), {.paths = {script}}), Status::failed,
         "expected an ELF file at /usr/local/app/main, found a file that is not ELF");
  expect(judge(with(test), {.paths = {{.path = "/usr/local/app/main"}}}), Status::failed,
         "expected an ELF file at /usr/local/app/main, not found");
}

TEST(EvaluateElf, LoadableNeedsInterpreterAndEveryLibrary) {
  const ElfTest test{.name = "load", .path = "/usr/local/app/main", .architecture = "any", .loadable = true};
  const inspect::ElfFacts good{.bits = 64, .machine = 62, .architecture = "amd64", .dynamic = true,
                               .interpreter = "/lib64/ld-linux-x86-64.so.2", .interpreter_found = true,
                               .libraries = {{"libc.so.6", "/lib/x86_64-linux-gnu/libc.so.6"}}};
  expect(judge(with(test), {.paths = {elf_file(good)}}), Status::passed, "");
  inspect::ElfFacts bad = good;
  bad.architecture = "arm64";  // not checked with "any"
  bad.interpreter_found = false;
  bad.runpath = {"$ORIGIN/../lib", "/opt/lib"};
  bad.libraries.push_back({"libstdc++.so.6", ""});
  bad.libraries.push_back({"libfoo.so.1", ""});
  expect(judge(with(test), {.paths = {elf_file(bad)}}), Status::failed,
         "interpreter /lib64/ld-linux-x86-64.so.2 not found in the image; libraries not found in the image: "
         "libstdc++.so.6, libfoo.so.1 (RUNPATH $ORIGIN/../lib:/opt/lib)");
  expect(judge(with(test), {.paths = {elf_file({.bits = 64, .machine = 62, .architecture = "amd64"})}}), Status::passed,
         "");  // static
}

inspect::CommandFacts ran(int exit_code, std::string out = "", std::string err = "") {
  return {.id = "s0.c0", .ran = true, .exit_code = exit_code, .stdout_text = std::move(out),
          .stderr_text = std::move(err), .seconds = 0.25};
}

TEST(EvaluateCommand, ExitCodeAndOutputs) {
  const CommandTest test{.name = "version", .command = "$APP/main", .args = {"--version"},
                         .expected_output = {"^main \\d+\\.\\d+"}, .excluded_output = {"debug"},
                         .expected_error = {"ready"}, .excluded_error = {"(?i)warn"}};
  TestResult passed = judge(with(test), {.commands = {ran(0, "main 1.2.3\n", "ready\n")}});
  expect(passed, Status::passed, "");
  EXPECT_EQ(passed.stdout_text, "main 1.2.3\n");
  EXPECT_EQ(passed.stderr_text, "ready\n");
  EXPECT_DOUBLE_EQ(passed.seconds, 0.25);
  EXPECT_EQ(passed.details, "argv: \"/usr/local/app/main\" \"--version\"\nworkdir: /usr/local/app");
  expect(judge(with(test), {.commands = {ran(2, "debug: main 1.2\n", "WARN x\n")}}), Status::failed,
         "exitCode: expected 0, found 2; expectedOutput: \"^main \\d+\\.\\d+\" not found in stdout; "
         "excludedOutput: \"debug\" found in stdout; expectedError: \"ready\" not found in "
         "stderr; excludedError: \"(?i)warn\" found in stderr");
  expect(judge(with(CommandTest{.name = "c", .command = "x", .exit_code = 3}), {.commands = {ran(3)}}), Status::passed, "");
  expect(judge(with(CommandTest{.name = "c", .command = "x"}), {.commands = {ran(-9)}}), Status::failed,
         "exitCode: expected 0, found killed by signal 9");
  inspect::CommandFacts slow = ran(-9);
  slow.timed_out = true;
  expect(judge(with(CommandTest{.name = "c", .command = "x", .timeout_seconds = 1.5}), {.commands = {slow}}),
         Status::failed, "timed out after 1.5s");
}

TEST(EvaluateCommand, NotRunIsSkippedErrorOrFailure) {
  const CommandTest test{.name = "c", .command = "/bin/app"};
  const auto not_run = [](std::string why) { return inspect::CommandFacts{.id = "s0.c0", .error = std::move(why)}; };
  expect(judge(with(test), {.commands = {not_run("this driver does not run commands")}}, "static"), Status::skipped,
         "this driver does not run commands");
  expect(judge(with(test), {.commands = {not_run("runc exited 1: cannot mount proc")}}), Status::error,
         "command did not run: runc exited 1: cannot mount proc");
  expect(judge(with(test), {.commands = {not_run("exec /bin/app: exec format error")}}), Status::failed,
         "command could not start: exec /bin/app: exec format error");
  expect(judge(with(test), {.commands = {not_run("app: executable file not found in $PATH")}}), Status::failed,
         "command could not start: app: executable file not found in $PATH");
  expect(judge(with(test), {}), Status::error, "the driver gave no result for the command");
}

TEST(EvaluateMetadata, EveryField) {
  MetadataTest good;
  good.env_vars = {{"MODE", "prod"}, {"PATH", "^/usr/bin", true}};
  good.unbound_env_vars = {"DEBUG"};
  good.labels = {{"org.opencontainers.image.version", "1.2.3"}};
  good.entrypoint = std::vector<std::string>{"/usr/local/app/main"};
  good.cmd = std::vector<std::string>{};
  good.workdir = "/usr/local/app";
  good.user = "65532";
  good.exposed_ports = {"8080"};
  good.unexposed_ports = {"22"};
  good.volumes = {"/data"};
  good.unmounted_volumes = {"/tmp"};
  const TestResult passed = judge(with(good), {});
  expect(passed, Status::passed, "");
  EXPECT_EQ(passed.name, "Metadata Test");
  EXPECT_EQ(passed.classname, "kiln.verify.s.metadata");

  MetadataTest bad;
  bad.env_vars = {{"MODE", "dev"}, {"MISSING", "x"}, {"PATH", "^/sbin", true}};
  bad.unbound_env_vars = {"APP"};
  bad.labels = {{"org.opencontainers.image.version", "2.0"}};
  bad.entrypoint = std::vector<std::string>{"/app"};
  bad.cmd = std::vector<std::string>{"--serve"};
  bad.workdir = "/";
  bad.user = "nonroot";
  bad.exposed_ports = {"9090"};
  bad.unexposed_ports = {"8080/tcp"};
  bad.volumes = {"/cache"};
  bad.unmounted_volumes = {"/data"};
  expect(judge(with(bad), {}), Status::failed,
         "env MODE: expected \"dev\", found \"prod\"; env MISSING: expected to be set, not set; env PATH: expected to "
         "match \"^/sbin\", found \"/usr/bin:/bin\"; env APP: expected not set, found \"/usr/local/app\"; label "
         "org.opencontainers.image.version: expected \"2.0\", found \"1.2.3\"; entrypoint: expected [\"/app\"], found "
         "[\"/usr/local/app/main\"]; cmd: expected [\"--serve\"], found []; workdir: expected \"/\", found "
         "\"/usr/local/app\"; user: expected \"nonroot\", found \"65532\"; exposedPorts: expected 9090 exposed, found "
         "8080; unexposedPorts: expected 8080/tcp not exposed, it is; volumes: expected /cache, found /data; "
         "unmountedVolumes: expected /data not a volume, it is");
}

TEST(Evaluate, SkipsAndPlatformFilters) {
  Spec spec{.name = "s"};
  spec.file_existence_tests = {{.name = "skipped", .path = "/a", .filter = {.skip = "flaky on CI"}},
                               {.name = "arm", .path = "/b", .filter = {.platforms = {"linux/arm64", "linux/arm/v7"}}}};
  const auto suites = evaluate({spec}, kConfig, kAmd64, {}, "static");
  ASSERT_EQ(suites[0].tests.size(), 2u);
  expect(suites[0].tests[0], Status::skipped, "flaky on CI");
  expect(suites[0].tests[1], Status::skipped, "not run on linux/amd64 (platforms: linux/arm64, linux/arm/v7)");
}

TEST(Evaluate, NamesAreUniqueAndClassnamesStable) {
  Spec a{.name = "my.spec", .source = "a/my.spec.yaml"};
  a.file_existence_tests = {{.name = "same", .path = "/a", .should_exist = false},
                            {.name = "same", .path = "/a", .should_exist = false}};
  a.command_tests = {{.name = "same", .command = "x", .filter = {.skip = "-"}}};
  Spec b = a;
  b.source = "b/my.spec.yaml";
  const auto suites = evaluate({a, b}, kConfig, kAmd64, {.paths = {{.path = "/a"}}}, "local");
  ASSERT_EQ(suites.size(), 2u);
  EXPECT_EQ(suites[0].name, "my.spec");
  EXPECT_EQ(suites[1].name, "my.spec-2");
  EXPECT_EQ(suites[1].source, "b/my.spec.yaml");
  std::vector<std::pair<std::string, std::string>> ids;
  for (const auto& test : suites[0].tests) ids.emplace_back(test.classname, test.name);
  for (const auto& test : suites[1].tests) ids.emplace_back(test.classname, test.name);
  EXPECT_EQ(ids, (std::vector<std::pair<std::string, std::string>>{
                     {"kiln.verify.my_spec.command", "same"},
                     {"kiln.verify.my_spec.fileExistence", "same"},
                     {"kiln.verify.my_spec.fileExistence", "same (2)"},
                     {"kiln.verify.my_spec-2.command", "same"},
                     {"kiln.verify.my_spec-2.fileExistence", "same"},
                     {"kiln.verify.my_spec-2.fileExistence", "same (2)"}}));
  EXPECT_EQ(classname_prefix("my.spec"), "kiln.verify.my_spec.");
  EXPECT_EQ(classname_prefix("app"), "kiln.verify.app.");
}

// The built-in suite against facts of a good image, answered for exactly what it asked.
TEST(Evaluate, AppSuiteOnAGoodImageFromItsOwnRequest) {
  const std::vector<Spec> specs{app_suite({.version_args = {"--version"}})};
  const inspect::FactRequest request = fact_request(specs, kConfig, kAmd64);
  ASSERT_EQ(request.paths.size(), 1u);
  EXPECT_EQ(request.paths[0], (inspect::PathQuery{.path = "/usr/local/app/main", .elf = true}));
  inspect::PathFacts main = elf_file({.bits = 64, .machine = 62, .architecture = "amd64"});
  inspect::CommandFacts version = ran(0, "main 1.0\n");
  version.id = request.commands.at(0).id;
  const auto suites = evaluate(specs, kConfig, kAmd64, {.paths = {main}, .commands = {version}}, "local");
  const Totals counts = totals(suites[0]);
  EXPECT_EQ(counts.tests, 8);
  EXPECT_EQ(counts.passed, 8) << suites[0].tests[0].message;
}

}  // namespace
}  // namespace kiln::verify

namespace kiln::verify {
namespace {

inspect::PathFacts text_file(const std::string& path, const std::string& contents) {
  inspect::PathFacts out = file_facts(path, 0644, contents.size());
  out.contents = contents;
  return out;
}

Spec with(LicenseTest test) { return Spec{.name = "s", .license_tests = {std::move(test)}}; }

// CST's licenses.go: a refused license word anywhere in the file, in any case, fails it.
TEST(EvaluateLicense, NamedFilesMustExistAndNameNoRefusedLicense) {
  const LicenseTest test{.files = {"/usr/share/doc/a/copyright", "/usr/share/doc/b/copyright"}};
  expect(judge(with(test), {.paths = {text_file("/usr/share/doc/a/copyright", "GPL-2+"),
                                      text_file("/usr/share/doc/b/copyright", "Expat")}}),
         Status::passed, "");
  expect(judge(with(test), {.paths = {text_file("/usr/share/doc/a/copyright", "GNU Affero, agpl-3.0"),
                                      {.path = "/usr/share/doc/b/copyright"}}}),
         Status::failed,
         "license file /usr/share/doc/a/copyright contains AGPL; license file /usr/share/doc/b/copyright does not exist");
  EXPECT_EQ(judge(with(test), {}).status, Status::error);
}

TEST(EvaluateLicense, DebianReadsEveryPackagesCopyrightButLibgnutls30) {
  inspect::PathFacts doc{.path = "/usr/share/doc", .exists = true, .stat = {.type = Type::directory, .mode = 0755}};
  doc.subdirectories = std::vector<std::string>{"dash", "libgnutls30", "toy"};
  const LicenseTest test{.debian = true};
  expect(judge(with(test), {.paths = {doc, text_file("/usr/share/doc/dash/copyright", "BSD-3-clause"),
                                      text_file("/usr/share/doc/toy/copyright", "do What The Fuck you want: WTFPL")}}),
         Status::failed, "license file /usr/share/doc/toy/copyright contains WTFPL");
  expect(judge(with(test), {.paths = {doc, text_file("/usr/share/doc/dash/copyright", "BSD-3-clause"),
                                      {.path = "/usr/share/doc/toy/copyright"}}}),
         Status::failed, "license file /usr/share/doc/toy/copyright does not exist");
  expect(judge(with(test), {.paths = {{.path = "/usr/share/doc"}}}), Status::failed,
         "cannot list /usr/share/doc (debian: true reads every package's copyright file there)");
  const auto suites = evaluate({with(test)}, kConfig, kAmd64, {.paths = {doc}}, "static");
  EXPECT_EQ(suites.at(0).tests.at(0).classname, "kiln.verify.s.license");
  EXPECT_EQ(suites.at(0).tests.at(0).name, "License Test");
}

// CST fails a command test whose setup command cannot run, and ignores a setup's exit code.
TEST(EvaluateCommand, SetupThatCannotRunFailsTheTestItsExitCodeDoesNot) {
  const CommandTest test{.name = "c", .command = "cat", .args = {"/ready"}, .setup = {{"touch", "/ready"}, {"false"}}};
  const inspect::CommandFacts ran{.id = "s0.c0", .ran = true, .exit_code = 0};
  const inspect::CommandFacts setup0{.id = "s0.c0.setup0", .ran = true, .exit_code = 0};
  const inspect::CommandFacts setup1{.id = "s0.c0.setup1", .ran = true, .exit_code = 1};
  const TestResult passed = judge(with(test), {.commands = {setup0, setup1, ran}});
  expect(passed, Status::passed, "");
  EXPECT_NE(passed.details.find("setup[1] \"false\" exited 1"), std::string::npos) << passed.details;
  const inspect::CommandFacts missing{.id = "s0.c0.setup1", .ran = false, .error = "executable file not found in PATH"};
  expect(judge(with(test), {.commands = {setup0, missing, ran}}), Status::failed,
         "error in setup: setup[1] \"false\" could not run: executable file not found in PATH");
}

}  // namespace
}  // namespace kiln::verify
