#include "plugin/backend/native/config_instructions.h"

#include <fmt/format.h>

#include <cctype>
#include <filesystem>

#include "core/duration.h"
#include "core/error.h"

namespace kiln::plugin {
namespace {

oci::Json& object_field(oci::Json& config, const char* name) {
  oci::Json& field = config[name];
  if (!field.is_object()) field = oci::Json::object();
  return field;
}

void set(StageState& state, const std::string& key, oci::Json value) {
  state.config[key] = std::move(value);
  std::erase(state.unset, key);
}

std::vector<std::string> command_of(const StageState& state, const std::vector<std::string>& args, bool json_form) {
  if (json_form) return args;
  std::vector<std::string> out = state.shell;
  out.push_back(args.empty() ? "" : args.front());
  return out;
}

std::int64_t parse_duration_ns(const std::string& text, const std::string& where) {
  const auto duration = parse_go_duration(text);
  if (!duration) throw_usage(fmt::format("{}: invalid duration '{}' (e.g. 30s, 1m30s, 500ms)", where, text));
  return duration->count();
}

}  // namespace

std::string StageState::working_dir() const {
  auto it = config.find("WorkingDir");
  return it != config.end() && it->is_string() && !it->get<std::string>().empty() ? it->get<std::string>() : "/";
}

void apply_env(StageState& state, const std::vector<std::pair<std::string, std::string>>& pairs) {
  oci::Json& env = state.config["Env"];
  for (const auto& [key, value] : pairs) {
    state.env_index.set(env, key, value);
    state.variables[key] = value;
  }
  std::erase(state.unset, "Env");
}

void apply_label(StageState& state, const std::vector<std::pair<std::string, std::string>>& pairs) {
  oci::Json& labels = object_field(state.config, "Labels");
  for (const auto& [key, value] : pairs) state.label_index.set(labels, key, value);
}

void apply_workdir(StageState& state, const std::string& path) {
  std::filesystem::path p(path);
  if (p.is_relative()) p = std::filesystem::path(state.working_dir()) / p;
  std::string clean = p.lexically_normal().string();
  if (clean.size() > 1 && clean.back() == '/') clean.pop_back();
  set(state, "WorkingDir", clean);
}

void apply_user(StageState& state, const std::string& user) { set(state, "User", user); }

void apply_expose(StageState& state, const std::vector<std::string>& ports, const std::string& where) {
  oci::Json& exposed = object_field(state.config, "ExposedPorts");
  for (const std::string& port : ports) {
    std::string number = port, protocol = "tcp";
    if (auto slash = port.find('/'); slash != std::string::npos) {
      number = port.substr(0, slash);
      protocol = port.substr(slash + 1);
      for (char& c : protocol) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    const bool digits = !number.empty() && number.find_first_not_of("0123456789-") == std::string::npos;
    if (!digits || (protocol != "tcp" && protocol != "udp" && protocol != "sctp"))
      throw_usage(fmt::format("{}: invalid port '{}' (expected <port>[/tcp|/udp|/sctp])", where, port));
    state.port_index.set(exposed, number + "/" + protocol, oci::Json::object());
  }
}

void apply_volume(StageState& state, const std::vector<std::string>& paths) {
  oci::Json& volumes = object_field(state.config, "Volumes");
  for (const std::string& path : paths)
    if (!path.empty()) state.volume_index.set(volumes, path, oci::Json::object());
}

void apply_cmd(StageState& state, const std::vector<std::string>& args, bool json_form) {
  set(state, "Cmd", command_of(state, args, json_form));
  state.cmd_set = true;
}

void apply_entrypoint(StageState& state, const std::vector<std::string>& args, bool json_form) {
  set(state, "Entrypoint", command_of(state, args, json_form));
  // BuildKit's dispatchEntrypoint: an inherited CMD would become the entrypoint's arguments.
  if (!state.cmd_set) {
    state.config.erase("Cmd");
    if (std::find(state.unset.begin(), state.unset.end(), "Cmd") == state.unset.end()) state.unset.push_back("Cmd");
  }
}

void apply_stopsignal(StageState& state, const std::string& signal) { set(state, "StopSignal", signal); }

void apply_shell(StageState& state, const std::vector<std::string>& shell) {
  state.shell = shell;
  set(state, "Shell", shell);
}

void apply_healthcheck(StageState& state, const Instruction& instruction, const std::vector<std::string>& args,
                       const std::string& where) {
  oci::Json check = oci::Json::object();
  if (!args.empty() && (args.front() == "NONE" || args.front() == "none")) {
    check["Test"] = {"NONE"};
  } else {
    if (args.empty() || (args.front() != "CMD" && args.front() != "cmd"))
      throw_usage(fmt::format("{}: HEALTHCHECK needs NONE or CMD", where));
    std::vector<std::string> test = instruction.json_form ? std::vector<std::string>{"CMD"}
                                                          : std::vector<std::string>{"CMD-SHELL"};
    test.insert(test.end(), args.begin() + 1, args.end());
    check["Test"] = test;
    for (const auto& [flag, key] : {std::pair{"interval", "Interval"}, std::pair{"timeout", "Timeout"},
                                    std::pair{"start-period", "StartPeriod"},
                                    std::pair{"start-interval", "StartInterval"}})
      if (auto value = instruction.flag(flag)) check[key] = parse_duration_ns(*value, where);
    if (auto retries = instruction.flag("retries")) {
      try {
        check["Retries"] = std::stoi(*retries);
      } catch (const std::exception&) {
        throw_usage(fmt::format("{}: --retries '{}' is not a number", where, *retries));
      }
    }
  }
  set(state, "Healthcheck", check);
}

}  // namespace kiln::plugin
