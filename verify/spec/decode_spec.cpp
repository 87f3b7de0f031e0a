// The schema of a spec file: which keys each part has, their defaults and checks. Both file
// formats arrive here as a SpecNode, so YAML and JSON cannot drift apart.
#include <algorithm>
#include <cctype>

#include "core/duration.h"
#include "core/error.h"
#include "core/read_file.h"
#include "oci/image/platform.h"
#include "verify/spec/file_mode.h"
#include "verify/spec/load_spec.h"
#include "verify/spec/node_reader.h"
#include "verify/spec/run_options.h"

namespace kiln::verify {
namespace {

class Decoder {
 public:
  explicit Decoder(const std::string& file) : in_(file) {}

  Spec decode(const SpecNode& root, const std::string& suite_name) {
    const std::string version = schema_version(root);
    v1_ = version == "1.0.0";
    // Schema 1.0.0 has no metadataTest and no containerRunOptions (CST's v1.StructureTest).
    const SpecNode& top =
        v1_ ? in_.map(root, "spec", {"schemaVersion", "globalEnvVars", "commandTests", "fileExistenceTests",
                                     "fileContentTests", "licenseTests", "elfTests"})
            : in_.map(root, "spec", {"schemaVersion", "globalEnvVars", "commandTests", "fileExistenceTests",
                                     "fileContentTests", "metadataTest", "licenseTests", "containerRunOptions",
                                     "elfTests"});

    Spec spec{.name = suite_name, .source = in_.file(), .schema_version = version};
    if (const SpecNode* options = NodeReader::find(top, "containerRunOptions")) spec.run_options = run_options(*options);
    if (const SpecNode* env = NodeReader::find(top, "globalEnvVars")) {
      spec.global_env = in_.env_vars(*env, "globalEnvVars");
      for (const EnvVar& var : spec.global_env) {
        if (var.key.empty()) in_.fail(env->line, "globalEnvVars: every entry needs a key");
      }
    }
    for_each_item(top, "commandTests", [&](const SpecNode& node, const std::string& where) {
      spec.command_tests.push_back(command_test(node, where));
    });
    for_each_item(top, "fileExistenceTests", [&](const SpecNode& node, const std::string& where) {
      spec.file_existence_tests.push_back(file_existence_test(node, where));
    });
    for_each_item(top, "fileContentTests", [&](const SpecNode& node, const std::string& where) {
      spec.file_content_tests.push_back(file_content_test(node, where));
    });
    for_each_item(top, "licenseTests", [&](const SpecNode& node, const std::string& where) {
      spec.license_tests.push_back(license_test(node, where));
    });
    for_each_item(top, "elfTests", [&](const SpecNode& node, const std::string& where) {
      spec.elf_tests.push_back(elf_test(node, where));
    });
    if (const SpecNode* metadata = NodeReader::find(top, "metadataTest")) spec.metadata_test = metadata_test(*metadata);
    return spec;
  }

 private:
  // Read before the keys are checked, because the version decides which keys exist.
  std::string schema_version(const SpecNode& root) {
    if (root.kind != SpecNode::Kind::map) in_.fail(root.line, "spec: expected a map with schemaVersion");
    const SpecMember* version = nullptr;
    for (const SpecMember& member : root.members)
      if (member.key == "schemaVersion") version = &member;
    if (!version || version->value.kind == SpecNode::Kind::null)
      in_.fail(root.line, "schemaVersion is required (kiln reads \"2.0.0\" and \"1.0.0\")");
    const std::string text = in_.string(version->value, "schemaVersion");
    if (text != "2.0.0" && text != "1.0.0") {
      in_.fail(version->line, "schemaVersion: " + in_quotes(text) + " is not supported (kiln reads \"2.0.0\" and \"1.0.0\")");
    }
    return text;
  }

  ContainerRunOptions run_options(const SpecNode& node) {
    const std::string where = "containerRunOptions";
    const SpecNode& map = in_.map(node, where, {"user", "privileged", "allocateTty", "envVars", "envFile",
                                                "capabilities", "bindMounts"});
    ContainerRunOptions out{.line = node.line};
    out.user = in_.opt_string(map, "user", where);
    if (out.user && out.user->empty()) out.user.reset();  // CST: an empty user is not set
    if (const SpecNode* privileged = NodeReader::find(map, "privileged"))
      out.privileged = in_.boolean(*privileged, where + ".privileged");
    if (const SpecNode* tty = NodeReader::find(map, "allocateTty")) out.allocate_tty = in_.boolean(*tty, where + ".allocateTty");
    out.env_vars = in_.opt_strings(map, "envVars", where);
    for (const std::string& name : out.env_vars)
      if (name.empty() || name.find('=') != std::string::npos)
        in_.fail(NodeReader::find(map, "envVars")->line,
                 where + ".envVars: expected variable names (their values come from kiln-verify's environment), found " +
                     in_quotes(name));
    out.env_file = in_.opt_string(map, "envFile", where);
    if (out.env_file && out.env_file->empty()) out.env_file.reset();
    if (out.allocate_tty)
      in_.fail(NodeReader::find(map, "allocateTty")->line,
               where + ".allocateTty is not supported by kiln: commands' stdout and stderr are captured apart and "
                       "judged apart; a terminal would merge them");
    out.capabilities = in_.opt_strings(map, "capabilities", where);
    for (const std::string& name : out.capabilities)
      if (!capability_names(name))
        in_.fail(NodeReader::find(map, "capabilities")->line,
                 where + ".capabilities: " + in_quotes(name) + " is not a Linux capability (such as sys_admin or CAP_NET_RAW, or ALL)");
    out.bind_mounts = in_.opt_strings(map, "bindMounts", where);
    for (const std::string& text : out.bind_mounts) {
      std::string why;
      if (!parse_bind_mount(text, why))
        in_.fail(NodeReader::find(map, "bindMounts")->line, where + ".bindMounts: " + in_quotes(text) + ": " + why);
    }
    return out;
  }

  LicenseTest license_test(const SpecNode& node, const std::string& where) {
    const SpecNode& map = in_.map(node, where, {"debian", "files"});
    LicenseTest out;
    if (const SpecNode* debian = NodeReader::find(map, "debian")) out.debian = in_.boolean(*debian, where + ".debian");
    out.files = in_.opt_strings(map, "files", where);
    for (const std::string& file : out.files)
      if (!file.starts_with("/"))
        in_.fail(NodeReader::find(map, "files")->line, where + ".files: " + in_quotes(file) + " is not an absolute path");
    return out;
  }

  // setup and teardown: a list of commands, each a non-empty list of strings.
  std::vector<Argv> argv_list(const SpecNode& map, std::string_view key, const std::string& where) {
    const SpecNode* node = NodeReader::find(map, key);
    if (!node) return {};
    const std::string list_where = where + "." + std::string(key);
    if (node->kind != SpecNode::Kind::sequence)
      in_.fail(node->line, list_where + ": expected a list of commands, each a list of strings");
    std::vector<Argv> out;
    for (std::size_t i = 0; i < node->items.size(); ++i) {
      const std::string item_where = list_where + "[" + std::to_string(i) + "]";
      if (node->items[i].kind != SpecNode::Kind::sequence)
        in_.fail(node->items[i].line, item_where + ": expected a command as a list of strings, such as [touch, /tmp/ready]");
      out.push_back(in_.strings(node->items[i], item_where));
      if (out.back().empty() || out.back().front().empty())
        in_.fail(node->items[i].line, item_where + ": a command needs at least its program");
    }
    return out;
  }

  template <typename Fn>
  void for_each_item(const SpecNode& top, std::string_view key, Fn&& fn) {
    const SpecNode* list = NodeReader::find(top, key);
    if (!list) return;
    if (list->kind != SpecNode::Kind::sequence) in_.fail(list->line, std::string(key) + ": expected a list of tests");
    for (std::size_t i = 0; i < list->items.size(); ++i) fn(list->items[i], std::string(key) + "[" + std::to_string(i) + "]");
  }

  // "commandTests[2]" becomes "commandTests[2] \"version\"" once the name is known, so every
  // later message names the test.
  std::string named(const SpecNode& map, const std::string& where) {
    return where + " " + in_quotes(in_.required_string(map, "name", where));
  }

  TestFilter filter(const SpecNode& map, const std::string& where) {
    TestFilter out;
    if (const SpecNode* skip = NodeReader::find(map, "skip")) {
      out.skip = in_.string(*skip, where + ".skip");
      if (out.skip->empty()) in_.fail(skip->line, where + ".skip: give the reason to skip");
    }
    if (const SpecNode* platforms = NodeReader::find(map, "platforms")) {
      out.platforms = in_.strings(*platforms, where + ".platforms");
      for (const std::string& platform : out.platforms) {
        try {
          (void)oci::Platform::parse(platform);
        } catch (const Error& e) {
          in_.fail(platforms->line, where + ".platforms: " + e.what());
        }
      }
    }
    return out;
  }

  std::vector<std::string> patterns(const SpecNode& map, std::string_view key, const std::string& where) {
    std::vector<std::string> out = in_.opt_strings(map, key, where);
    if (const SpecNode* node = NodeReader::find(map, key)) in_.check_patterns(out, node->line, where + "." + std::string(key));
    return out;
  }

  std::optional<std::string> sha256(const SpecNode& map, const std::string& where) {
    const SpecNode* node = NodeReader::find(map, "sha256");
    if (!node) return std::nullopt;
    std::string hex = in_.string(*node, where + ".sha256");
    std::transform(hex.begin(), hex.end(), hex.begin(), [](unsigned char c) { return std::tolower(c); });
    const bool valid = hex.size() == 64 && std::all_of(hex.begin(), hex.end(), [](unsigned char c) {
                         return std::isdigit(c) || (c >= 'a' && c <= 'f');
                       });
    if (!valid) in_.fail(node->line, where + ".sha256: expected 64 hex digits, found " + in_quotes(hex));
    return hex;
  }

  CommandTest command_test(const SpecNode& node, const std::string& index_where) {
    const SpecNode& map =
        v1_ ? in_.map(node, index_where, {"name", "setup", "teardown", "command", "envVars", "expectedOutput",
                                          "excludedOutput", "expectedError", "excludedError", "exitCode", "timeout",
                                          "skip", "platforms"})
            : in_.map(node, index_where, {"name", "setup", "teardown", "command", "args", "envVars", "expectedOutput",
                                          "excludedOutput", "expectedError", "excludedError", "exitCode", "timeout",
                                          "skip", "platforms"});
    const std::string where = named(map, index_where);
    CommandTest test{.name = in_.required_string(map, "name", index_where)};
    if (v1_) {
      // Schema 1.0.0: the whole argv in `command`.
      const SpecNode* command = NodeReader::find(map, "command");
      if (!command) in_.fail(map.line, where + ": command is required");
      if (command->kind != SpecNode::Kind::sequence)
        in_.fail(command->line,
                 where + ".command: schemaVersion 1.0.0 takes the command as a list, such as [sh, -c, 'echo hi']");
      Argv argv = in_.strings(*command, where + ".command");
      if (argv.empty() || argv.front().empty())
        in_.fail(command->line, where + ".command: the list needs at least the program");
      test.command = argv.front();
      test.args.assign(argv.begin() + 1, argv.end());
    } else {
      test.command = in_.required_string(map, "command", where);
      test.args = in_.opt_strings(map, "args", where);
    }
    test.setup = argv_list(map, "setup", where);
    test.teardown = argv_list(map, "teardown", where);
    if (const SpecNode* env = NodeReader::find(map, "envVars")) {
      test.env_vars = in_.env_vars(*env, where + ".envVars");
    }
    test.expected_output = patterns(map, "expectedOutput", where);
    test.excluded_output = patterns(map, "excludedOutput", where);
    test.expected_error = patterns(map, "expectedError", where);
    test.excluded_error = patterns(map, "excludedError", where);
    if (const SpecNode* code = NodeReader::find(map, "exitCode")) {
      test.exit_code = static_cast<int>(in_.integer(*code, where + ".exitCode"));
    }
    if (const SpecNode* timeout = NodeReader::find(map, "timeout")) {
      const std::string text = in_.string(*timeout, where + ".timeout");
      const auto duration = parse_go_duration(text);
      if (!duration || duration->count() <= 0) {
        in_.fail(timeout->line, where + ".timeout: expected a positive Go duration such as \"30s\", found " + in_quotes(text));
      }
      test.timeout_seconds = static_cast<double>(duration->count()) / 1e9;
    }
    test.filter = filter(map, where);
    return test;
  }

  std::optional<std::uint32_t> id(const SpecNode& map, std::string_view key, const std::string& where) {
    const SpecNode* node = NodeReader::find(map, key);
    if (!node) return std::nullopt;
    const std::int64_t value = in_.integer(*node, where + "." + std::string(key));
    if (value == -1) return std::nullopt;  // CST's "not checked"
    if (value < 0 || value > 0xffffffffLL) {
      in_.fail(node->line, where + "." + std::string(key) + ": expected an id from 0 (or -1: not checked), found " +
                               std::to_string(value));
    }
    return static_cast<std::uint32_t>(value);
  }

  FileExistenceTest file_existence_test(const SpecNode& node, const std::string& index_where) {
    const SpecNode& map = in_.map(node, index_where, {"name", "path", "shouldExist", "permissions", "uid", "gid",
                                                      "isExecutableBy", "mode", "sha256", "type", "nonEmpty", "skip",
                                                      "platforms"});
    const std::string where = named(map, index_where);
    FileExistenceTest test{.name = in_.required_string(map, "name", index_where), .path = in_.required_string(map, "path", where)};
    if (const SpecNode* should = NodeReader::find(map, "shouldExist")) test.should_exist = in_.boolean(*should, where + ".shouldExist");
    if (const SpecNode* permissions = NodeReader::find(map, "permissions")) {
      test.permissions = in_.string(*permissions, where + ".permissions");
      if (!is_go_file_mode(*test.permissions)) {
        in_.fail(permissions->line, where + ".permissions: " + in_quotes(*test.permissions) +
                                        " is not a Go file mode string such as \"-rwxr-xr-x\", \"drwxr-xr-x\", "
                                        "\"Lrwxrwxrwx\" or \"urwxr-xr-x\" (setuid)");
      }
    }
    test.uid = id(map, "uid", where);
    test.gid = id(map, "gid", where);
    if (const SpecNode* by = NodeReader::find(map, "isExecutableBy")) {
      const std::string text = in_.string(*by, where + ".isExecutableBy");
      if (text == "owner") test.is_executable_by = ExecutableBy::owner;
      else if (text == "group") test.is_executable_by = ExecutableBy::group;
      else if (text == "other") test.is_executable_by = ExecutableBy::other;
      else if (text == "any") test.is_executable_by = ExecutableBy::any;
      else in_.fail(by->line, where + ".isExecutableBy: expected owner, group, other or any, found " + in_quotes(text));
    }
    if (const SpecNode* mode = NodeReader::find(map, "mode")) {
      // An unquoted YAML 0755 and a JSON string "0755" both arrive as their text.
      const bool scalar = mode->kind == SpecNode::Kind::scalar && mode->scalar_type != SpecNode::ScalarType::boolean;
      test.mode = scalar ? parse_octal_mode(mode->text) : std::nullopt;
      if (!test.mode) in_.fail(mode->line, where + ".mode: expected an octal mode such as \"0755\", found " + in_quotes(mode->text));
    }
    test.sha256 = sha256(map, where);
    if (const SpecNode* type = NodeReader::find(map, "type")) {
      test.type = in_.string(*type, where + ".type");
      if (!parse_file_type(*test.type)) {
        in_.fail(type->line, where + ".type: expected file, directory, symlink, hardlink, chardevice, blockdevice, "
                                     "fifo or socket, found " + in_quotes(*test.type));
      }
    }
    if (const SpecNode* non_empty = NodeReader::find(map, "nonEmpty")) test.non_empty = in_.boolean(*non_empty, where + ".nonEmpty");
    test.filter = filter(map, where);
    return test;
  }

  FileContentTest file_content_test(const SpecNode& node, const std::string& index_where) {
    const SpecNode& map = in_.map(node, index_where, {"name", "path", "expectedContents", "excludedContents", "sha256",
                                                      "skip", "platforms"});
    const std::string where = named(map, index_where);
    FileContentTest test{.name = in_.required_string(map, "name", index_where), .path = in_.required_string(map, "path", where)};
    test.expected_contents = patterns(map, "expectedContents", where);
    test.excluded_contents = patterns(map, "excludedContents", where);
    test.sha256 = sha256(map, where);
    test.filter = filter(map, where);
    return test;
  }

  ElfTest elf_test(const SpecNode& node, const std::string& index_where) {
    const SpecNode& map = in_.map(node, index_where, {"name", "path", "architecture", "loadable", "skip", "platforms"});
    const std::string where = named(map, index_where);
    ElfTest test{.name = in_.required_string(map, "name", index_where), .path = in_.required_string(map, "path", where)};
    test.architecture = in_.opt_string(map, "architecture", where).value_or("");
    if (const SpecNode* loadable = NodeReader::find(map, "loadable")) test.loadable = in_.boolean(*loadable, where + ".loadable");
    test.filter = filter(map, where);
    return test;
  }

  std::optional<std::vector<std::string>> opt_list(const SpecNode& map, std::string_view key, const std::string& where) {
    const SpecNode* node = NodeReader::find(map, key);
    if (!node) return std::nullopt;
    return in_.strings(*node, where + "." + std::string(key));
  }

  std::vector<EnvVar> checked_env(const SpecNode& map, std::string_view key, const std::string& where) {
    const SpecNode* node = NodeReader::find(map, key);
    if (!node) return {};
    const std::string list_where = where + "." + std::string(key);
    std::vector<EnvVar> vars = in_.env_vars(*node, list_where);
    for (std::size_t i = 0; i < vars.size(); ++i) {
      if (vars[i].is_regex) in_.check_patterns({vars[i].value}, node->items[i].line, list_where + "[" + std::to_string(i) + "].value");
    }
    return vars;
  }

  std::optional<MetadataTest> metadata_test(const SpecNode& node) {
    const std::string where = "metadataTest";
    const SpecNode& map = in_.map(node, where, {"envVars", "unboundEnvVars", "labels", "entrypoint", "cmd", "workdir",
                                                "user", "exposedPorts", "unexposedPorts", "volumes",
                                                "unmountedVolumes", "skip", "platforms"});
    MetadataTest test;
    test.env_vars = checked_env(map, "envVars", where);
    for (const EnvVar& var : checked_env(map, "unboundEnvVars", where)) test.unbound_env_vars.push_back(var.key);
    test.labels = checked_env(map, "labels", where);
    test.entrypoint = opt_list(map, "entrypoint", where);
    test.cmd = opt_list(map, "cmd", where);
    test.workdir = in_.opt_string(map, "workdir", where);
    test.user = in_.opt_string(map, "user", where);
    test.exposed_ports = in_.opt_strings(map, "exposedPorts", where);
    test.unexposed_ports = in_.opt_strings(map, "unexposedPorts", where);
    test.volumes = in_.opt_strings(map, "volumes", where);
    test.unmounted_volumes = in_.opt_strings(map, "unmountedVolumes", where);
    test.filter = filter(map, where);
    // CST runs no metadata test when it asserts nothing; neither does kiln.
    const bool asserts_nothing = test.env_vars.empty() && test.unbound_env_vars.empty() && test.labels.empty() &&
                                 !test.entrypoint && !test.cmd && !test.workdir && !test.user &&
                                 test.exposed_ports.empty() && test.unexposed_ports.empty() && test.volumes.empty() &&
                                 test.unmounted_volumes.empty();
    if (asserts_nothing) return std::nullopt;
    return test;
  }

  NodeReader in_;
  bool v1_ = false;
};

}  // namespace

Spec decode_spec(const SpecNode& root, const std::string& file, const std::string& suite_name) {
  if (root.kind == SpecNode::Kind::null) throw_usage(file + ": the spec file is empty");
  return Decoder(file).decode(root, suite_name);
}

Spec load_spec(const std::filesystem::path& file) {
  std::string extension = file.extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(), [](unsigned char c) { return std::tolower(c); });
  const bool yaml = extension == ".yaml" || extension == ".yml";
  if (!yaml && extension != ".json") {
    throw_usage(file.string() + ": a spec file must end in .yaml, .yml or .json");
  }
  // container-structure-test configs are a few kilobytes; a spec that is not is not one.
  constexpr std::size_t max_spec_file_bytes = 4 << 20;
  const auto text = read_file(file, max_spec_file_bytes, "spec file");
  if (!text) throw_usage(file.string() + ": cannot read the spec file");
  const std::string name = file.string();
  const SpecNode root = yaml ? parse_yaml_spec_node(*text, name) : parse_json_spec_node(*text, name);
  return decode_spec(root, name, file.stem().string());
}

}  // namespace kiln::verify
