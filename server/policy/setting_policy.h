#pragma once
// What kiln-server lets an API client set. A token holder is a remote user, not a shell user on
// the server, yet kiln-plugin and kiln-verify run as kiln-server's user: so every setting of
// their tables is classified here, once, by what its value can make them do on the server.
// A setting missing from these tables is refused (and a test fails until it is classified).
#include <string>
#include <string_view>
#include <vector>

namespace kiln::server {

enum class SettingUse {
  plain,          ///< names no program, no file on the server, nothing of the server's environment
  no_effect,      ///< kiln-plugin accepts it without effect (and says so in the build log)
  context_path,   ///< names files that are read: each must lie inside the build's context
  docker_config,  ///< a docker config.json document: passed on, but without credential helpers
  refused,        ///< names a program, a file written on the server, or the server's environment
  server_owned,   ///< kiln-server sets it itself
};

/// Where the files of a context_path setting are in its value (a list is split as kiln-plugin splits it).
enum class PathForm {
  single,          ///< the value is one path
  list,            ///< every item is a path
  keyed_list,      ///< items "path" or "key=path" (binary: platform=path; registry_certificate: host=path)
  client_certs,    ///< items "host=cert,key"
  secret_sources,  ///< items "id=…,src=path" or "id=…,env=VAR" (env= reads the server's environment: refused)
  below_context,   ///< one path below the `context` setting (context_sub_path)
};

struct SettingPolicy {
  std::string_view name;  ///< the canonical name in kiln-plugin's or kiln-verify's table
  SettingUse use;
  /// refused: why, completing "refused: it …"; context_path: nothing.
  std::string_view reason = {};
  PathForm form = PathForm::single;
  /// context_path: the file read when the setting is unset, if the table's default is not it.
  std::string_view implicit_path = {};
  /// refused: values that ask for nothing on the server and are let through (layer_cache_dir: none).
  std::vector<std::string_view> harmless_values = {};
};

enum class Program { plugin, verify };

const std::vector<SettingPolicy>& setting_policies(Program program);

/// The policy of a canonical setting name; nullptr when it is not classified (then refused).
const SettingPolicy* find_setting_policy(Program program, std::string_view name);

}  // namespace kiln::server
