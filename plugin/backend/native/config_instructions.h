#pragma once
// The instructions that only change the image config, with Docker's (BuildKit's dispatchers')
// semantics. Each takes the instruction with its words already expanded.
#include <map>
#include <string>
#include <vector>

#include "oci/json.h"
#include "plugin/backend/native/config_index.h"
#include "plugin/dockerfile/dockerfile.h"

namespace kiln::plugin {

/// The state a stage carries from one instruction to the next.
struct StageState {
  oci::Json config = oci::Json::object();        ///< the image config's `config` object
  std::vector<std::string> unset;                ///< fields to remove from the base's
  std::map<std::string, std::string> variables;  ///< ENV and ARG values, for expansion
  std::vector<std::string> shell{"/bin/sh", "-c"};
  bool cmd_set = false;                          ///< CMD given in this stage (ENTRYPOINT keeps it)
  std::string author;
  EnvIndex env_index;                            ///< where each variable is in config.Env
  FieldIndex label_index, port_index, volume_index;  ///< the same for Labels, ExposedPorts, Volumes

  std::string working_dir() const;
};

/// ENV k=v...: replaces the variable in Env (keeping its place) or appends it.
void apply_env(StageState& state, const std::vector<std::pair<std::string, std::string>>& pairs);
void apply_label(StageState& state, const std::vector<std::pair<std::string, std::string>>& pairs);
/// WORKDIR: relative paths are relative to the current one; the result is cleaned.
void apply_workdir(StageState& state, const std::string& path);
void apply_user(StageState& state, const std::string& user);
/// EXPOSE 80 443/tcp 53/udp: "80/tcp" keys; throws kiln::Error(usage) for a bad port.
void apply_expose(StageState& state, const std::vector<std::string>& ports, const std::string& where);
void apply_volume(StageState& state, const std::vector<std::string>& paths);
/// CMD / ENTRYPOINT: JSON form as is, shell form wrapped in the stage's SHELL.
void apply_cmd(StageState& state, const std::vector<std::string>& args, bool json_form);
void apply_entrypoint(StageState& state, const std::vector<std::string>& args, bool json_form);
void apply_stopsignal(StageState& state, const std::string& signal);
void apply_shell(StageState& state, const std::vector<std::string>& shell);
/// HEALTHCHECK NONE | [--interval=..] CMD ...; durations like "30s", "1m30s" become nanoseconds.
void apply_healthcheck(StageState& state, const Instruction& instruction, const std::vector<std::string>& args,
                       const std::string& where);

}  // namespace kiln::plugin
