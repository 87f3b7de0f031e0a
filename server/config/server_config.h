#pragma once
// kiln-server's configuration: a YAML file (--config / KILN_SERVER_CONFIG), then KILN_SERVER_*
// variables, then --flags, highest last. Every key is checked against one table, so a typo in
// the file is refused with the key's name instead of being silently ignored.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/env.h"
#include "server/webhooks/webhook_settings.h"

namespace kiln::server {

/// Keys of `engine: kubernetes` (read by the Kubernetes engine, kept here so the file is checked).
struct KubernetesSettings {
  std::string kubeconfig;        ///< empty: in-cluster service account
  std::string namespace_name;    ///< `kubernetes.namespace`
  std::string executor_image;    ///< the kiln-plugin/Kaniko image the pods run
  std::string registry_secret;   ///< Secret holding the registry credentials (docker config.json)
  std::string context_base_url;  ///< how pods reach this server: <url>/v1/builds/<id>/context
  std::int64_t deadline_seconds = 3600;  ///< `kubernetes.deadline`: the pod's activeDeadlineSeconds
};

struct ServerConfig {
  std::string listen = "127.0.0.1:8080";            ///< host:port
  std::filesystem::path data_dir = "kiln-server-data";  ///< SQLite file, logs, contexts
  std::filesystem::path database;                   ///< empty: <data_dir>/kiln-server.db
  int concurrency = 2;                              ///< builds running at once
  std::string engine = "local";                     ///< local | kubernetes
  std::vector<std::string> token_sha256;            ///< hex SHA-256 of each accepted bearer token
  std::int64_t log_cap_bytes = 1 << 20;             ///< per build; head and tail kept
  std::int64_t max_request_bytes = 256 << 20;       ///< bodies larger than this get 413
  std::int64_t max_context_bytes = std::int64_t{1} << 30;  ///< an upload's unpacked file bytes
  std::int64_t max_context_entries = 100000;        ///< an upload's tar entries
  /// Absolute directories below which a client may name a server directory as its context;
  /// empty: only uploaded contexts.
  std::vector<std::filesystem::path> context_roots;
  int header_timeout_seconds = 10;                  ///< a request's line and headers must arrive within
  int body_timeout_seconds = 20;                    ///< a body's first part must arrive within …
  std::int64_t body_min_rate = 64 << 10;            ///< … and then at least this many bytes per second
  int max_connections_per_client = 16;              ///< open connections per client address
  int max_log_streams = 1000;                        ///< open log streams, else 503
  std::chrono::seconds build_timeout{3600};         ///< a build's deadline, verify step included
  /// Finished builds (record, log, report) older than this are removed; 0: no age bound.
  std::chrono::seconds retention_max_age{30 * 24 * 3600};
  std::int64_t retention_max_builds = 10000;        ///< finished builds kept, newest first; 0: no bound
  std::chrono::seconds retention_interval{600};     ///< how often retention runs (and once at start)
  double rate_limit = 50;                           ///< requests per second per token (sustained)
  int rate_burst = 100;                             ///< requests a token may make at once
  std::filesystem::path plugin_binary;              ///< empty: kiln-plugin beside kiln-server
  std::filesystem::path verify_binary;              ///< empty: kiln-verify beside kiln-server
  std::string tls_cert;                             ///< PEM files: both set = HTTPS
  std::string tls_key;
  std::string log_level = "info";
  KubernetesSettings kubernetes;
  WebhookSettings webhooks;                         ///< webhook_* keys
};

/// Reads the configuration. `args` are argv[1..]; `--config <file>` names the YAML file.
/// Throws kiln::Error(usage) naming the key (and file) of any unknown key or bad value.
ServerConfig load_server_config(const Env& env, const std::vector<std::string>& args);

/// The --help text, listing every key with its KILN_SERVER_* variable.
std::string server_help_text();

}  // namespace kiln::server
