// metadataTest on the image config: env, labels, entrypoint, cmd, workdir, user, ports, volumes.
#include <set>

#include <nlohmann/json.hpp>

#include "verify/check/image_env.h"
#include "verify/check/judges.h"

namespace kiln::verify {
namespace {

const oci::Json& section(const oci::Json& image_config) {
  static const oci::Json empty = oci::Json::object();
  if (!image_config.is_object()) return empty;
  const auto it = image_config.find("config");
  return it != image_config.end() && it->is_object() ? *it : empty;
}

std::string string_field(const oci::Json& config, const char* key) {
  const auto it = config.find(key);
  return it != config.end() && it->is_string() ? it->get<std::string>() : "";
}

// A null or absent list is the empty list, as in Docker's config.
std::vector<std::string> list_field(const oci::Json& config, const char* key) {
  std::vector<std::string> out;
  const auto it = config.find(key);
  if (it == config.end() || !it->is_array()) return out;
  for (const oci::Json& item : *it) out.push_back(item.is_string() ? item.get<std::string>() : item.dump());
  return out;
}

std::set<std::string> key_set(const oci::Json& config, const char* key) {
  std::set<std::string> out;
  const auto it = config.find(key);
  if (it == config.end() || !it->is_object()) return out;
  for (const auto& [name, value] : it->items()) out.insert(name);
  return out;
}

// Ports are compared by number: CST strips the protocol the config stores ("8080/tcp").
std::string port_number(const std::string& port) { return port.substr(0, port.find('/')); }

std::string show_list(const std::vector<std::string>& items) {
  return nlohmann::json(items).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string listed(const std::set<std::string>& items) {
  if (items.empty()) return "none";
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

std::string get(const oci::Json& vars, const std::string& key) {
  const oci::Json& value = vars.at(key);
  return value.is_string() ? value.get<std::string>() : value.dump();
}

// `source` is a JSON object of names to values: the image's Env or its Labels.
void check_vars(const std::vector<EnvVar>& expected, const oci::Json& source, const char* what, Findings& findings) {
  for (const EnvVar& var : expected) {
    const std::string name = std::string(what) + " " + var.key;
    if (!source.contains(var.key)) {
      findings.add(name + ": expected to be set, not set");
      continue;
    }
    const std::string actual = get(source, var.key);
    if (var.is_regex ? !search(var.value, actual) : actual != var.value) {
      findings.add(name + ": expected " + (var.is_regex ? "to match " : "") + show(var.value) + ", found " + show(actual));
    }
  }
}


}  // namespace

TestResult judge_metadata(const MetadataTest& test, const oci::Json& image_config) {
  const oci::Json& config = section(image_config);
  Findings findings;

  // The image's Env as a JSON object, so env and labels share one check.
  oci::Json env = oci::Json::object();
  const Environment image_env = image_environment(image_config);
  for (const auto& [key, value] : image_env.vars()) env[key] = value;
  check_vars(test.env_vars, env, "env", findings);
  for (const std::string& key : test.unbound_env_vars) {
    if (env.contains(key)) findings.add("env " + key + ": expected not set, found " + show(get(env, key)));
  }
  const auto labels_it = config.find("Labels");
  const oci::Json labels = labels_it != config.end() && labels_it->is_object() ? *labels_it : oci::Json::object();
  check_vars(test.labels, labels, "label", findings);

  if (test.entrypoint && *test.entrypoint != list_field(config, "Entrypoint")) {
    findings.add("entrypoint: expected " + show_list(*test.entrypoint) + ", found " + show_list(list_field(config, "Entrypoint")));
  }
  if (test.cmd && *test.cmd != list_field(config, "Cmd")) {
    findings.add("cmd: expected " + show_list(*test.cmd) + ", found " + show_list(list_field(config, "Cmd")));
  }
  if (test.workdir && *test.workdir != string_field(config, "WorkingDir")) {
    findings.add("workdir: expected " + show(*test.workdir) + ", found " + show(string_field(config, "WorkingDir")));
  }
  if (test.user && *test.user != string_field(config, "User")) {
    findings.add("user: expected " + show(*test.user) + ", found " + show(string_field(config, "User")));
  }

  std::set<std::string> ports;
  for (const std::string& port : key_set(config, "ExposedPorts")) ports.insert(port_number(port));
  for (const std::string& port : test.exposed_ports) {
    if (!ports.count(port_number(port))) findings.add("exposedPorts: expected " + port + " exposed, found " + listed(ports));
  }
  for (const std::string& port : test.unexposed_ports) {
    if (ports.count(port_number(port))) findings.add("unexposedPorts: expected " + port + " not exposed, it is");
  }
  const std::set<std::string> volumes = key_set(config, "Volumes");
  for (const std::string& volume : test.volumes) {
    if (!volumes.count(volume)) findings.add("volumes: expected " + volume + ", found " + listed(volumes));
  }
  for (const std::string& volume : test.unmounted_volumes) {
    if (volumes.count(volume)) findings.add("unmountedVolumes: expected " + volume + " not a volume, it is");
  }
  return findings.result();
}

}  // namespace kiln::verify
