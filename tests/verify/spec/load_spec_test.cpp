#include "verify/spec/load_spec.h"

#include <fstream>

#include <gtest/gtest.h>

#include "core/error.h"
#include "core/temp_dir.h"

namespace kiln::verify {
namespace {

class LoadSpec : public ::testing::Test {
 protected:
  std::filesystem::path write(const std::string& name, const std::string& text) {
    const auto path = dir_.path() / name;
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }
  // The whole message of the usage error loading `text` as `name` gives.
  std::string error_of(const std::string& name, const std::string& text) {
    const auto path = write(name, text);
    try {
      load_spec(path);
    } catch (const Error& e) {
      EXPECT_EQ(e.exit_class(), ExitClass::usage);
      const std::string message = e.what();
      const std::string prefix = path.string();
      EXPECT_EQ(message.rfind(prefix, 0), 0u) << message;  // starts with the file
      return message.substr(prefix.size());
    }
    ADD_FAILURE() << "loaded " << name;
    return "";
  }
  TempDir dir_{"kiln-spec-test"};
};

// Every key the loader knows, in both formats.
constexpr const char* kFullYaml = R"(schemaVersion: "2.0.0"
globalEnvVars:
  - key: GREETING
    value: hello
commandTests:
  - name: version
    command: /usr/local/app/main
    args: ["--version"]
    envVars:
      - key: LANG
        value: C
    expectedOutput: ['^main \d+']
    excludedOutput: [panic]
    expectedError: []
    excludedError: [warning]
    exitCode: 3
    timeout: 1m30s
    platforms: [linux/amd64, linux/arm64/v8]
  - name: skipped one
    command: "true"
    skip: needs a network
fileExistenceTests:
  - name: app
    path: /usr/local/app/main
    shouldExist: true
    permissions: -rwxr-xr-x
    uid: 0
    gid: 65532
    isExecutableBy: other
    mode: 0755
    sha256: ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef0123456789
    type: file
    nonEmpty: true
  - name: gone
    path: /etc/shadow-
    shouldExist: false
    uid: -1
fileContentTests:
  - name: os
    path: /etc/os-release
    expectedContents: ['ID=debian']
    excludedContents: ['(?i)alpine']
elfTests:
  - name: elf
    path: /usr/local/app/main
    architecture: arm64
    loadable: false
metadataTest:
  envVars:
    - key: PATH
      value: /usr/.*
      isRegex: true
  unboundEnvVars:
    - key: DEBUG
  labels:
    - key: org.opencontainers.image.source
      value: https://example.com/app
  entrypoint: ["/usr/local/app/main"]
  cmd: []
  workdir: /usr/local/app
  user: "65532"
  exposedPorts: ["8080"]
  unexposedPorts: ["22"]
  volumes: [/data]
  unmountedVolumes: [/tmp]
)";

constexpr const char* kFullJson = R"({
  "schemaVersion": "2.0.0",
  "globalEnvVars": [{"key": "GREETING", "value": "hello"}],
  "commandTests": [
    {"name": "version", "command": "/usr/local/app/main", "args": ["--version"],
     "envVars": [{"key": "LANG", "value": "C"}],
     "expectedOutput": ["^main \\d+"], "excludedOutput": ["panic"], "expectedError": [],
     "excludedError": ["warning"], "exitCode": 3, "timeout": "1m30s",
     "platforms": ["linux/amd64", "linux/arm64/v8"]},
    {"name": "skipped one", "command": "true", "skip": "needs a network"}
  ],
  "fileExistenceTests": [
    {"name": "app", "path": "/usr/local/app/main", "shouldExist": true, "permissions": "-rwxr-xr-x",
     "uid": 0, "gid": 65532, "isExecutableBy": "other", "mode": "0755",
     "sha256": "ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef0123456789",
     "type": "file", "nonEmpty": true},
    {"name": "gone", "path": "/etc/shadow-", "shouldExist": false, "uid": -1}
  ],
  "fileContentTests": [
    {"name": "os", "path": "/etc/os-release", "expectedContents": ["ID=debian"],
     "excludedContents": ["(?i)alpine"]}
  ],
  "elfTests": [{"name": "elf", "path": "/usr/local/app/main", "architecture": "arm64", "loadable": false}],
  "metadataTest": {
    "envVars": [{"key": "PATH", "value": "/usr/.*", "isRegex": true}],
    "unboundEnvVars": [{"key": "DEBUG"}],
    "labels": [{"key": "org.opencontainers.image.source", "value": "https://example.com/app"}],
    "entrypoint": ["/usr/local/app/main"], "cmd": [], "workdir": "/usr/local/app", "user": "65532",
    "exposedPorts": ["8080"], "unexposedPorts": ["22"], "volumes": ["/data"], "unmountedVolumes": ["/tmp"]
  }
})";

TEST_F(LoadSpec, YamlAndJsonGiveTheSameSpec) {
  Spec from_yaml = load_spec(write("full.yaml", kFullYaml));
  Spec from_json = load_spec(write("full.json", kFullJson));
  EXPECT_EQ(from_yaml.name, "full");
  EXPECT_EQ(from_yaml.source, (dir_.path() / "full.yaml").string());
  from_json.source = from_yaml.source;
  EXPECT_EQ(from_yaml, from_json);
}

TEST_F(LoadSpec, ReadsEveryField) {
  const Spec spec = load_spec(write("full.yml", kFullYaml));
  ASSERT_EQ(spec.global_env, (std::vector<EnvVar>{{"GREETING", "hello"}}));
  ASSERT_EQ(spec.command_tests.size(), 2u);
  const CommandTest& version = spec.command_tests[0];
  EXPECT_EQ(version.args, std::vector<std::string>{"--version"});
  EXPECT_EQ(version.expected_output, std::vector<std::string>{"^main \\d+"});
  EXPECT_EQ(version.exit_code, 3);
  EXPECT_DOUBLE_EQ(version.timeout_seconds, 90);
  EXPECT_EQ(version.filter.platforms, (std::vector<std::string>{"linux/amd64", "linux/arm64/v8"}));
  EXPECT_EQ(spec.command_tests[1].filter.skip, "needs a network");
  const FileExistenceTest& app = spec.file_existence_tests[0];
  EXPECT_EQ(app.permissions, "-rwxr-xr-x");
  EXPECT_EQ(app.uid, 0u);
  EXPECT_EQ(app.gid, 65532u);
  EXPECT_EQ(app.is_executable_by, ExecutableBy::other);
  EXPECT_EQ(app.mode, 0755u);
  EXPECT_EQ(app.sha256, "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789");
  EXPECT_EQ(app.type, "file");
  EXPECT_TRUE(app.non_empty);
  EXPECT_FALSE(spec.file_existence_tests[1].should_exist);
  EXPECT_EQ(spec.file_existence_tests[1].uid, std::nullopt);  // -1: not checked
  EXPECT_EQ(spec.elf_tests[0].architecture, "arm64");
  EXPECT_FALSE(spec.elf_tests[0].loadable);
  ASSERT_TRUE(spec.metadata_test);
  EXPECT_EQ(spec.metadata_test->unbound_env_vars, std::vector<std::string>{"DEBUG"});
  EXPECT_EQ(spec.metadata_test->cmd, std::vector<std::string>{});  // [] asserts empty
  EXPECT_EQ(spec.metadata_test->user, "65532");
  EXPECT_TRUE(spec.metadata_test->env_vars[0].is_regex);
}

// CST's JSON reader left shouldExist false and uid/gid 0 when omitted; kiln's do not.
TEST_F(LoadSpec, JsonDefaultsEqualYamlDefaults) {
  const Spec yaml = load_spec(write("min.yaml",
                                    "schemaVersion: '2.0.0'\n"
                                    "fileExistenceTests: [{name: f, path: /f}]\n"
                                    "commandTests: [{name: c, command: c}]\n"));
  Spec json = load_spec(write("min.json", R"({"schemaVersion": "2.0.0",
      "fileExistenceTests": [{"name": "f", "path": "/f"}], "commandTests": [{"name": "c", "command": "c"}]})"));
  json.source = yaml.source;
  EXPECT_EQ(yaml, json);
  const FileExistenceTest& file = json.file_existence_tests[0];
  EXPECT_TRUE(file.should_exist);
  EXPECT_EQ(file.uid, std::nullopt);
  EXPECT_EQ(file.gid, std::nullopt);
  EXPECT_EQ(json.command_tests[0].exit_code, 0);
  EXPECT_DOUBLE_EQ(json.command_tests[0].timeout_seconds, 60);
  EXPECT_FALSE(json.metadata_test);
}

TEST_F(LoadSpec, UnknownKeyNamesFileLineAndKeyInBothFormats) {
  const std::string known = " (known keys: name, path, shouldExist, permissions, uid, gid, isExecutableBy, mode, "
                            "sha256, type, nonEmpty, skip, platforms)";
  EXPECT_EQ(error_of("typo.yaml",
                     "schemaVersion: \"2.0.0\"\n"
                     "fileExistenceTests:\n"
                     "  - name: app\n"
                     "    path: /usr/local/app/main\n"
                     "    permision: -rwxr-xr-x\n"),
            ":5: fileExistenceTests[0]: unknown key \"permision\"" + known);
  EXPECT_EQ(error_of("typo.json",
                     "{\n"
                     "  \"schemaVersion\": \"2.0.0\",\n"
                     "  \"fileExistenceTests\": [\n"
                     "    {\"name\": \"app\",\n"
                     "     \"path\": \"/usr/local/app/main\",\n"
                     "     \"permision\": \"-rwxr-xr-x\"}\n"
                     "  ]\n"
                     "}\n"),
            ":6: fileExistenceTests[0]: unknown key \"permision\"" + known);
  // CST #120: exit_code instead of exitCode was silently ignored in JSON.
  EXPECT_EQ(error_of("cmd.json", "{\"schemaVersion\": \"2.0.0\",\n\"commandTests\": [{\"name\": \"c\", \"command\": \"c\",\n"
                                 "\"exit_code\": 1}]}"),
            ":3: commandTests[0]: unknown key \"exit_code\" (known keys: name, setup, teardown, command, args, envVars, "
            "expectedOutput, excludedOutput, expectedError, excludedError, exitCode, timeout, skip, platforms)");
  EXPECT_EQ(error_of("top.yaml", "schemaVersion: \"2.0.0\"\nfileTests: []\n"),
            ":2: spec: unknown key \"fileTests\" (known keys: schemaVersion, globalEnvVars, commandTests, "
            "fileExistenceTests, fileContentTests, metadataTest, licenseTests, containerRunOptions, elfTests)");
}

TEST_F(LoadSpec, InvalidRegexNamesFileTestAndKey) {
  EXPECT_EQ(error_of("re.yaml",
                     "schemaVersion: \"2.0.0\"\n"
                     "commandTests:\n"
                     "  - name: version\n"
                     "    command: main\n"
                     "    expectedOutput: ['ok', '(unclosed']\n"),
            ":5: commandTests[0] \"version\".expectedOutput[1]: invalid RE2 pattern \"(unclosed\": missing ): (unclosed");
  // RE2 has no backreferences or lookaround: rejected, not silently failed.
  EXPECT_EQ(error_of("re.json",
                     "{\"schemaVersion\": \"2.0.0\",\n \"fileContentTests\": [{\"name\": \"os\", \"path\": \"/etc/os-release\",\n"
                     "  \"excludedContents\": [\"(?!x)\"]}]}"),
            ":3: fileContentTests[0] \"os\".excludedContents[0]: invalid RE2 pattern \"(?!x)\": invalid perl operator: (?!");
  EXPECT_EQ(error_of("label.yaml",
                     "schemaVersion: \"2.0.0\"\nmetadataTest:\n  labels:\n    - key: a\n      value: '['\n      isRegex: true\n"),
            ":4: metadataTest.labels[0].value[0]: invalid RE2 pattern \"[\": missing ]: [");
}

TEST_F(LoadSpec, SchemaVersionIsRequiredAndIs200Or100) {
  EXPECT_EQ(error_of("none.yaml", "commandTests: []\n"), ":1: schemaVersion is required (kiln reads \"2.0.0\" and \"1.0.0\")");
  EXPECT_EQ(error_of("new.yaml", "schemaVersion: \"3.0.0\"\n"),
            ":1: schemaVersion: \"3.0.0\" is not supported (kiln reads \"2.0.0\" and \"1.0.0\")");
  EXPECT_EQ(error_of("num.json", "{\"schemaVersion\": 2}"), ":1: schemaVersion: expected a string, found the number 2");
  EXPECT_EQ(error_of("empty.yaml", ""), ": the spec file is empty");
}

// CST's own failure suite is written in schema 1.0.0: the whole argv in `command`.
TEST_F(LoadSpec, Schema100TakesTheCommandAsAList) {
  const Spec spec = load_spec(write("v1.yaml", "schemaVersion: '1.0.0'\ncommandTests:\n"
                                               "- name: 'path'\n  command: ['sh', '-c', 'echo $PATH']\n"
                                               "  expectedOutput: ['/usr/bin']\n  setup: [[touch, /x]]\n"
                                               "fileExistenceTests:\n- name: f\n  path: /f\n"
                                               "licenseTests:\n- debian: true\n  files:\n"));
  EXPECT_EQ(spec.schema_version, "1.0.0");
  ASSERT_EQ(spec.command_tests.size(), 1u);
  EXPECT_EQ(spec.command_tests[0].command, "sh");
  EXPECT_EQ(spec.command_tests[0].args, (std::vector<std::string>{"-c", "echo $PATH"}));
  EXPECT_EQ(spec.command_tests[0].setup, (std::vector<Argv>{{"touch", "/x"}}));
  ASSERT_EQ(spec.license_tests.size(), 1u);
  EXPECT_TRUE(spec.license_tests[0].debian);
  EXPECT_TRUE(spec.license_tests[0].files.empty());

  EXPECT_EQ(error_of("v1-string.yaml", "schemaVersion: '1.0.0'\ncommandTests:\n- name: c\n  command: ls\n"),
            ":4: commandTests[0] \"c\".command: schemaVersion 1.0.0 takes the command as a list, such as "
            "[sh, -c, 'echo hi']");
  EXPECT_EQ(error_of("v1-args.yaml", "schemaVersion: '1.0.0'\ncommandTests:\n- name: c\n  command: [ls]\n  args: [-l]\n"),
            ":5: commandTests[0]: unknown key \"args\" (known keys: name, setup, teardown, command, envVars, "
            "expectedOutput, excludedOutput, expectedError, excludedError, exitCode, timeout, skip, platforms)");
  EXPECT_EQ(error_of("v1-metadata.yaml", "schemaVersion: '1.0.0'\nmetadataTest:\n  user: root\n"),
            ":2: spec: unknown key \"metadataTest\" (known keys: schemaVersion, globalEnvVars, commandTests, "
            "fileExistenceTests, fileContentTests, licenseTests, elfTests)");
}

TEST_F(LoadSpec, ReadsSetupTeardownRunOptionsAndLicenseTests) {
  const Spec spec = load_spec(write("all.yaml", R"(schemaVersion: '2.0.0'
commandTests:
- name: c
  command: cat
  args: [/tmp/ready]
  setup: [[touch, /tmp/ready], [sh, -c, 'echo $HOME']]
  teardown: [[rm, /tmp/ready]]
containerRunOptions:
  user: 'root'
  privileged: true
  envVars: [FOO, BAR]
  envFile: tests/envfile
  capabilities: [sys_admin, CAP_NET_RAW]
  bindMounts: ["/tmp/test:/tmp/test", "/etc:/host/etc:ro"]
licenseTests:
- debian: false
  files: [/usr/share/doc/dash/copyright]
)"));
  const CommandTest& test = spec.command_tests.at(0);
  EXPECT_EQ(test.setup, (std::vector<Argv>{{"touch", "/tmp/ready"}, {"sh", "-c", "echo $HOME"}}));
  EXPECT_EQ(test.teardown, (std::vector<Argv>{{"rm", "/tmp/ready"}}));
  const ContainerRunOptions& options = spec.run_options;
  EXPECT_EQ(options.user, "root");
  EXPECT_TRUE(options.privileged);
  EXPECT_EQ(options.env_vars, (std::vector<std::string>{"FOO", "BAR"}));
  EXPECT_EQ(options.env_file, "tests/envfile");
  EXPECT_EQ(options.capabilities, (std::vector<std::string>{"sys_admin", "CAP_NET_RAW"}));
  EXPECT_EQ(options.bind_mounts.size(), 2u);
  EXPECT_EQ(options.line, 9u);
  EXPECT_TRUE(options.is_set());
  EXPECT_EQ(spec.license_tests.at(0).files, (std::vector<std::string>{"/usr/share/doc/dash/copyright"}));
}

TEST_F(LoadSpec, RejectsBadRunOptionsAndSetupNamingTheOption) {
  const std::string head = "schemaVersion: \"2.0.0\"\ncontainerRunOptions:\n";
  EXPECT_EQ(error_of("cap.yaml", head + "  capabilities: [sys_admn]\n"),
            ":3: containerRunOptions.capabilities: \"sys_admn\" is not a Linux capability (such as sys_admin or "
            "CAP_NET_RAW, or ALL)");
  EXPECT_EQ(error_of("bind.yaml", head + "  bindMounts: [data:/data]\n"),
            ":3: containerRunOptions.bindMounts: \"data:/data\": the host path must be absolute (Docker would take "
            "\"data\" as a named volume, which kiln has not)");
  EXPECT_EQ(error_of("bind-opt.yaml", head + "  bindMounts: [\"/a:/b:z\"]\n"),
            ":3: containerRunOptions.bindMounts: \"/a:/b:z\": mount option \"z\" is not supported (kiln reads ro and rw)");
  EXPECT_EQ(error_of("tty.yaml", head + "  allocateTty: true\n"),
            ":3: containerRunOptions.allocateTty is not supported by kiln: commands' stdout and stderr are captured "
            "apart and judged apart; a terminal would merge them");
  EXPECT_EQ(error_of("env.yaml", head + "  envVars: [A=1]\n"),
            ":3: containerRunOptions.envVars: expected variable names (their values come from kiln-verify's "
            "environment), found \"A=1\"");
  EXPECT_EQ(error_of("key.yaml", head + "  network: none\n"),
            ":3: containerRunOptions: unknown key \"network\" (known keys: user, privileged, allocateTty, envVars, "
            "envFile, capabilities, bindMounts)");
  EXPECT_EQ(error_of("setup.yaml",
                     "schemaVersion: \"2.0.0\"\ncommandTests:\n  - name: c\n    command: c\n    setup: [touch, /x]\n"),
            ":5: commandTests[0] \"c\".setup[0]: expected a command as a list of strings, such as [touch, /tmp/ready]");
  EXPECT_EQ(error_of("setup-empty.yaml",
                     "schemaVersion: \"2.0.0\"\ncommandTests:\n  - name: c\n    command: c\n    teardown: [[]]\n"),
            ":5: commandTests[0] \"c\".teardown[0]: a command needs at least its program");
  EXPECT_EQ(error_of("license.yaml", "schemaVersion: \"2.0.0\"\nlicenseTests:\n  - files: [copyright]\n"),
            ":3: licenseTests[0].files: \"copyright\" is not an absolute path");
  // Empty ones are harmless and accepted.
  EXPECT_NO_THROW(load_spec(write("empty-setup.yaml", "schemaVersion: \"2.0.0\"\ncommandTests:\n"
                                                      "  - {name: c, command: c, setup: [], teardown: []}\n")));
}

TEST_F(LoadSpec, RejectsBadValuesWithTheirKey) {
  const std::string head = "schemaVersion: \"2.0.0\"\nfileExistenceTests:\n  - name: f\n    path: /f\n";
  EXPECT_EQ(error_of("perm.yaml", head + "    permissions: rwxr-xr-x\n"),
            ":5: fileExistenceTests[0] \"f\".permissions: \"rwxr-xr-x\" is not a Go file mode string such as "
            "\"-rwxr-xr-x\", \"drwxr-xr-x\", \"Lrwxrwxrwx\" or \"urwxr-xr-x\" (setuid)");
  EXPECT_EQ(error_of("exec.yaml", head + "    isExecutableBy: everyone\n"),
            ":5: fileExistenceTests[0] \"f\".isExecutableBy: expected owner, group, other or any, found \"everyone\"");
  EXPECT_EQ(error_of("mode.yaml", head + "    mode: 0999\n"),
            ":5: fileExistenceTests[0] \"f\".mode: expected an octal mode such as \"0755\", found \"0999\"");
  EXPECT_EQ(error_of("uid.yaml", head + "    uid: root\n"),
            ":5: fileExistenceTests[0] \"f\".uid: expected an integer, found \"root\"");
  EXPECT_EQ(error_of("should.json", "{\"schemaVersion\": \"2.0.0\", \"fileExistenceTests\": [\n"
                                    "{\"name\": \"f\", \"path\": \"/f\", \"shouldExist\": \"yes\"}]}"),
            ":2: fileExistenceTests[0] \"f\".shouldExist: expected true or false, found \"yes\"");
  EXPECT_EQ(error_of("noname.yaml", "schemaVersion: \"2.0.0\"\nfileExistenceTests:\n  - path: /f\n"),
            ":3: fileExistenceTests[0]: name is required");
  EXPECT_EQ(error_of("timeout.yaml", "schemaVersion: \"2.0.0\"\ncommandTests:\n  - name: c\n    command: c\n    timeout: 10\n"),
            ":5: commandTests[0] \"c\".timeout: expected a positive Go duration such as \"30s\", found \"10\"");
  EXPECT_EQ(error_of("twice.yaml", head + "    path: /g\n"), ":5: fileExistenceTests[0]: key \"path\" given twice");
}

TEST_F(LoadSpec, SyntaxErrorsNameTheLine) {
  EXPECT_EQ(error_of("bad.json", "{\"schemaVersion\": \"2.0.0\",\n\"commandTests\": [\n}\n"),
            ":3: not valid JSON: [json.exception.parse_error.101] parse error at line 3, column 1: syntax error while "
            "parsing value - unexpected '}'; expected '[', '{', or a literal");
  const std::string yaml = error_of("bad.yaml", "schemaVersion: \"2.0.0\"\ncommandTests: [\n  - a\n");
  EXPECT_EQ(yaml.rfind(":", 0), 0u);
  EXPECT_NE(yaml.find("not valid YAML"), std::string::npos) << yaml;
  EXPECT_EQ(error_of("spec.txt", "schemaVersion: 2.0.0"), ": a spec file must end in .yaml, .yml or .json");
}

}  // namespace
}  // namespace kiln::verify

namespace kiln::verify {
namespace {

TEST_F(LoadSpec, ScalarTypesFollowTheFormat) {
  // yaml.v2 (CST) reads YAML 1.1 booleans; quoted YAML and JSON strings stay strings.
  const Spec spec = load_spec(write("bools.yaml", "schemaVersion: \"2.0.0\"\nfileExistenceTests:\n"
                                                  "  - {name: a, path: /a, shouldExist: no, nonEmpty: on}\n"));
  EXPECT_FALSE(spec.file_existence_tests[0].should_exist);
  EXPECT_TRUE(spec.file_existence_tests[0].non_empty);
  EXPECT_EQ(error_of("quoted.yaml", "schemaVersion: \"2.0.0\"\ncommandTests:\n  - name: c\n    command: c\n"
                                    "    exitCode: \"1\"\n"),
            ":5: commandTests[0] \"c\".exitCode: expected an integer, found \"1\"");
  EXPECT_EQ(error_of("float.json", "{\"schemaVersion\": \"2.0.0\", \"commandTests\": [{\"name\": \"c\", \"command\": \"c\",\n"
                                   "\"exitCode\": 1.5}]}"),
            ":2: commandTests[0] \"c\".exitCode: expected an integer, found the number 1.5");
  EXPECT_EQ(error_of("bool.json", "{\"schemaVersion\": \"2.0.0\", \"fileExistenceTests\": [{\"name\": \"f\", \"path\": \"/f\",\n"
                                  "\"shouldExist\": \"no\"}]}"),
            ":2: fileExistenceTests[0] \"f\".shouldExist: expected true or false, found \"no\"");
}

}  // namespace
}  // namespace kiln::verify

namespace kiln::verify {
namespace {

// yaml.v2 (and so CST) honours YAML 1.1 merge keys; specs use them for shared test fields.
TEST_F(LoadSpec, YamlMergeKeys) {
  const Spec spec = load_spec(write("merge.yaml", R"(schemaVersion: "2.0.0"
fileExistenceTests:
  - &owned
    name: main
    path: /usr/local/app/main
    uid: 0
    permissions: "-rwxr-xr-x"
  - <<: [*owned]
    name: helper
    path: /usr/local/app/helper
    permissions: "-rwxr-x---"
)"));
  ASSERT_EQ(spec.file_existence_tests.size(), 2u);
  const FileExistenceTest& helper = spec.file_existence_tests[1];
  EXPECT_EQ(helper.name, "helper");  // its own keys win
  EXPECT_EQ(helper.path, "/usr/local/app/helper");
  EXPECT_EQ(helper.permissions, "-rwxr-x---");
  EXPECT_EQ(helper.uid, 0u);  // merged
}

}  // namespace
}  // namespace kiln::verify
