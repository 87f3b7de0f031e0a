// The schema of a spec file: which keys each part has, their defaults and checks. Both file
// formats arrive here as a SpecNode, so YAML and JSON cannot drift apart.
#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

#include "core/duration.h"
#include "core/error.h"
#include "oci/image/platform.h"
#include "verify/spec/file_mode.h"
#include "verify/spec/load_spec.h"
#include "verify/spec/node_reader.h"

namespace kiln::verify {
namespace {

std::string in_quotes(std::string_view text) { return "\"" + std::string(text) + "\""; }

class Decoder {
 public:
  explicit Decoder(const std::string& file) : in_(file) {}

  Spec decode(const SpecNode& root, const std::string& suite_name) {
    const SpecNode& top = in_.map(root, "spec", {"schemaVersion", "globalEnvVars", "commandTests", "fileExistenceTests",
                                                 "fileContentTests", "metadataTest", "licenseTests",
                                                 "containerRunOptions", "elfTests"});
    check_schema_version(top);
    reject_if_set(top, "containerRunOptions",
                  "the local and kubernetes drivers run the image's own user without capabilities or network");
    reject_if_set(top, "licenseTests", "container-structure-test does not run them either");

    Spec spec{.name = suite_name, .source = in_.file()};
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
    for_each_item(top, "elfTests", [&](const SpecNode& node, const std::string& where) {
      spec.elf_tests.push_back(elf_test(node, where));
    });
    if (const SpecNode* metadata = NodeReader::find(top, "metadataTest")) spec.metadata_test = metadata_test(*metadata);
    return spec;
  }

 private:
  void check_schema_version(const SpecNode& top) {
    const SpecNode* version = NodeReader::find(top, "schemaVersion");
    if (!version) in_.fail(top.line, "schemaVersion is required (kiln reads \"2.0.0\")");
    const std::string text = in_.string(*version, "schemaVersion");
    if (text != "2.0.0") {
      in_.fail(version->line, "schemaVersion: " + in_quotes(text) + " is not supported (kiln reads \"2.0.0\")");
    }
  }

  void reject_if_set(const SpecNode& map, std::string_view key, const std::string& why, const std::string& where = "") {
    for (const SpecMember& member : map.members) {
      if (member.key == key && !in_.is_empty_list(member.value)) {
        const std::string name = where.empty() ? std::string(key) : where + "." + std::string(key);
        in_.fail(member.line, name + " is not supported by kiln: " + why);
      }
    }
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
    const SpecNode& map = in_.map(node, index_where, {"name", "setup", "teardown", "command", "args", "envVars",
                                                      "expectedOutput", "excludedOutput", "expectedError",
                                                      "excludedError", "exitCode", "timeout", "skip", "platforms"});
    const std::string where = named(map, index_where);
    reject_if_set(map, "setup", "each command runs in the image as it was pushed", where);
    reject_if_set(map, "teardown", "each command runs in the image as it was pushed", where);
    CommandTest test{.name = in_.required_string(map, "name", index_where), .command = in_.required_string(map, "command", where)};
    test.args = in_.opt_strings(map, "args", where);
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
  std::ifstream in(file, std::ios::binary);
  if (!in) throw_usage(file.string() + ": cannot read the spec file");
  std::ostringstream text;
  text << in.rdbuf();
  const std::string name = file.string();
  const SpecNode root = yaml ? parse_yaml_spec_node(text.str(), name) : parse_json_spec_node(text.str(), name);
  return decode_spec(root, name, file.stem().string());
}

}  // namespace kiln::verify
