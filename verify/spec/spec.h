#pragma once
// What kiln-verify checks: one Spec per test suite (a container-structure-test file, or the
// built-in application suite). Field names follow container-structure-test schema 2.0.0
// (github.com/GoogleContainerTools/container-structure-test, pkg/types/v2) with its defaults; kiln's extensions are marked as such. A Spec says
// nothing about how the image is seen: that is the driver's business.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace kiln::verify {

/// `{key, value, isRegex}` of globalEnvVars, envVars and labels.
struct EnvVar {
  std::string key;
  std::string value;
  bool is_regex = false;  ///< metadata only: value is an RE2 pattern searched in the actual value
  friend bool operator==(const EnvVar&, const EnvVar&) = default;
};

/// The kiln extensions every test kind has.
struct TestFilter {
  std::optional<std::string> skip;     ///< `skip: "<reason>"`: reported as skipped with the reason
  std::vector<std::string> platforms;  ///< `platforms: ["linux/amd64"]`; empty: every platform
  friend bool operator==(const TestFilter&, const TestFilter&) = default;
};

/// One command of `setup` or `teardown`: argv, run as written (no `$VAR` expansion, as in CST).
using Argv = std::vector<std::string>;

struct CommandTest {
  std::string name;
  std::string command;  ///< argv[0]; `$VAR` expanded against the image env
  std::vector<std::string> args;
  std::vector<EnvVar> env_vars;
  /// Run before the command in the container it runs in, whose root is then a fresh, writable
  /// copy of the image (CST commits each setup command's changes into the image the test runs).
  std::vector<Argv> setup;
  std::vector<Argv> teardown;  ///< run after the command, in the same container
  std::vector<std::string> expected_output;  ///< RE2, unanchored search in stdout
  std::vector<std::string> excluded_output;
  std::vector<std::string> expected_error;  ///< RE2, searched in stderr
  std::vector<std::string> excluded_error;
  int exit_code = 0;
  double timeout_seconds = 60;  ///< kiln: `timeout: "30s"` (Go duration)
  TestFilter filter;
  friend bool operator==(const CommandTest&, const CommandTest&) = default;
};

enum class ExecutableBy { owner, group, other, any };

struct FileExistenceTest {
  std::string name;
  std::string path;  ///< `$VAR` expanded against the image env, as CST does
  bool should_exist = true;
  std::optional<std::string> permissions;  ///< Go FileMode string: "-rwxr-xr-x", "Lrwxrwxrwx"
  std::optional<std::uint32_t> uid;        ///< unset: not checked (CST's -1)
  std::optional<std::uint32_t> gid;
  std::optional<ExecutableBy> is_executable_by;
  std::optional<std::uint32_t> mode;       ///< kiln: `mode: "0755"`, permission and special bits
  std::optional<std::string> sha256;       ///< kiln: lower-case hex, symlinks followed
  std::optional<std::string> type;         ///< kiln: "file", "directory", "symlink", … (lstat)
  bool non_empty = false;                  ///< kiln: `nonEmpty: true`, size > 0
  TestFilter filter;
  friend bool operator==(const FileExistenceTest&, const FileExistenceTest&) = default;
};

struct FileContentTest {
  std::string name;
  std::string path;  ///< not expanded, as in CST
  std::vector<std::string> expected_contents;  ///< RE2, unanchored search in the whole file
  std::vector<std::string> excluded_contents;
  std::optional<std::string> sha256;  ///< kiln
  TestFilter filter;
  friend bool operator==(const FileContentTest&, const FileContentTest&) = default;
};

struct MetadataTest {
  std::string name = "Metadata Test";  ///< CST's fixed name; the app suite names its own
  std::vector<EnvVar> env_vars;
  std::vector<std::string> unbound_env_vars;  ///< keys that must not be set
  std::vector<EnvVar> labels;
  std::optional<std::vector<std::string>> entrypoint;  ///< element-wise; `[]` asserts empty
  std::optional<std::vector<std::string>> cmd;
  std::optional<std::string> workdir;
  std::optional<std::string> user;
  std::vector<std::string> exposed_ports;  ///< port numbers, protocol stripped ("8080")
  std::vector<std::string> unexposed_ports;
  std::vector<std::string> volumes;
  std::vector<std::string> unmounted_volumes;
  TestFilter filter;
  friend bool operator==(const MetadataTest&, const MetadataTest&) = default;
};

/// kiln extension (`elfTests`): the binary is ELF for the right machine and can be loaded.
struct ElfTest {
  std::string name;
  std::string path;
  /// OCI architecture ("amd64"); empty: the image's; "any": not checked.
  std::string architecture;
  /// The interpreter (PT_INTERP) exists in the image and every DT_NEEDED resolves.
  bool loadable = true;
  TestFilter filter;
  friend bool operator==(const ElfTest&, const ElfTest&) = default;
};

/// `licenseTests`: license files must not name a license CST refuses (AGPL, WTFPL).
struct LicenseTest {
  bool debian = false;  ///< every /usr/share/doc/<package>/copyright (dpkg's convention)
  std::vector<std::string> files;
  friend bool operator==(const LicenseTest&, const LicenseTest&) = default;
};

/// `containerRunOptions`, as written; the options apply to every command test of the file.
struct ContainerRunOptions {
  std::optional<std::string> user;  ///< "name", "uid", "uid:gid", "name:group"
  bool privileged = false;
  bool allocate_tty = false;
  std::vector<std::string> env_vars;  ///< names, valued from kiln-verify's own environment
  std::optional<std::string> env_file;  ///< dotenv file, relative to the working directory
  std::vector<std::string> capabilities;  ///< "sys_admin", "CAP_NET_RAW", "ALL"
  std::vector<std::string> bind_mounts;   ///< "host:container[:ro|rw]"
  std::size_t line = 0;  ///< where the options are, for messages
  bool is_set() const {
    return user || privileged || allocate_tty || !env_vars.empty() || env_file || !capabilities.empty() ||
           !bind_mounts.empty();
  }
  friend bool operator==(const ContainerRunOptions&, const ContainerRunOptions&) = default;
};

struct Spec {
  std::string name;    ///< suite name: the file's stem, or "app"
  std::string source;  ///< the file path, or "built-in"
  std::string schema_version = "2.0.0";
  ContainerRunOptions run_options;
  /// containerRunOptions' envFile then envVars with their values, read by kiln-verify when the
  /// run starts (resolve_run_env); empty until then.
  std::vector<EnvVar> run_env;
  std::vector<LicenseTest> license_tests;
  std::vector<EnvVar> global_env;
  std::vector<CommandTest> command_tests;
  std::vector<FileExistenceTest> file_existence_tests;
  std::vector<FileContentTest> file_content_tests;
  std::optional<MetadataTest> metadata_test;
  std::vector<ElfTest> elf_tests;
  friend bool operator==(const Spec&, const Spec&) = default;
};

}  // namespace kiln::verify
