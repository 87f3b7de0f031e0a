#include "server/config/server_config.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <functional>
#include <map>

#include "core/duration.h"
#include "core/error.h"
#include "core/text.h"

namespace kiln::server {
namespace {

struct Key {
  std::string name;
  std::string help;
  std::function<void(ServerConfig&, const std::string&)> apply;
};

std::int64_t to_int(const std::string& key, const std::string& text) {
  try {
    std::size_t used = 0;
    const long long v = std::stoll(text, &used);
    if (used == text.size() && v >= 0) return v;
  } catch (const std::exception&) {
  }
  throw_usage(fmt::format("{}: '{}' is not a non-negative whole number", key, text));
}

double to_double(const std::string& key, const std::string& text) {
  try {
    std::size_t used = 0;
    const double v = std::stod(text, &used);
    if (used == text.size() && v > 0) return v;
  } catch (const std::exception&) {
  }
  throw_usage(fmt::format("{}: '{}' is not a positive number", key, text));
}

std::chrono::seconds go_duration(const std::string& key, const std::string& text) {
  const auto d = parse_go_duration(text);
  if (!d || *d < std::chrono::seconds(1))
    throw_usage(fmt::format("{}: '{}' is not a duration of at least 1s (a Go duration: 90s, 30m, 2h)", key, text));
  return std::chrono::ceil<std::chrono::seconds>(*d);
}

int positive_seconds(const std::string& key, const std::string& text) {
  const std::int64_t v = to_int(key, text);
  if (v < 1 || v > 3600) throw_usage(fmt::format("{}: must be between 1 and 3600 seconds", key));
  return static_cast<int>(v);
}

bool to_bool(const std::string& key, const std::string& text) {
  if (text == "true") return true;
  if (text == "false") return false;
  throw_usage(fmt::format("{}: '{}' is not true or false", key, text));
}

std::chrono::milliseconds bounded_duration(const std::string& key, const std::string& text, std::chrono::milliseconds least,
                                           std::chrono::milliseconds most) {
  const auto d = parse_go_duration(text);
  if (!d || *d < least || *d > most)
    throw_usage(fmt::format("{}: '{}' is not a duration between {} ms and {} ms (a Go duration: 500ms, 30s, 10m)", key, text,
                            least.count(), most.count()));
  return std::chrono::ceil<std::chrono::milliseconds>(*d);
}

// "hooks.example.com" or "hooks.example.com:8443", "[::1]:9000"; lowercased, as host names compare.
std::vector<std::string> webhook_hosts(const std::string& text) {
  std::vector<std::string> hosts = split_trimmed(text, ",");
  for (auto& h : hosts) {
    std::transform(h.begin(), h.end(), h.begin(), ::tolower);
    if (h.find_first_of("/@?# ") != std::string::npos || h.find("://") != std::string::npos)
      throw_usage(fmt::format("webhook_allow_hosts: '{}' is not a host or host:port", h));
  }
  return hosts;
}

const std::vector<Key>& keys() {
  static const std::vector<Key> table = {
      {"listen", "host:port to listen on (default 127.0.0.1:8080)", [](auto& c, auto& v) { c.listen = v; }},
      {"data_dir", "directory for the database, build logs and uploaded contexts", [](auto& c, auto& v) { c.data_dir = v; }},
      {"database", "SQLite file (default <data_dir>/kiln-server.db)", [](auto& c, auto& v) { c.database = v; }},
      {"concurrency", "builds run at once (default 2)",
       [](auto& c, auto& v) {
         c.concurrency = static_cast<int>(to_int("concurrency", v));
         if (c.concurrency < 1 || c.concurrency > 256) throw_usage("concurrency: must be between 1 and 256");
       }},
      {"engine", "local (kiln-plugin processes here) or kubernetes (Kaniko pods)",
       [](auto& c, auto& v) {
         if (v != "local" && v != "kubernetes") throw_usage(fmt::format("engine: '{}' is not local or kubernetes", v));
         c.engine = v;
       }},
      {"token_sha256", "hex SHA-256 of each accepted bearer token, comma separated (kiln-server hash-token)",
       [](auto& c, auto& v) {
         c.token_sha256 = split_trimmed(v, ",");
         for (auto& h : c.token_sha256) {
           std::transform(h.begin(), h.end(), h.begin(), ::tolower);
           if (h.size() != 64 || h.find_first_not_of("0123456789abcdef") != std::string::npos)
             throw_usage("token_sha256: each entry must be 64 hex digits (the SHA-256 of a token, not the token)");
         }
       }},
      {"log_cap_bytes", "bytes of log kept per build; the head and the tail are kept (default 1 MiB)",
       [](auto& c, auto& v) { c.log_cap_bytes = std::max<std::int64_t>(1024, to_int("log_cap_bytes", v)); }},
      {"max_request_bytes", "largest request body accepted, else 413 (default 256 MiB)",
       [](auto& c, auto& v) { c.max_request_bytes = to_int("max_request_bytes", v); }},
      {"max_context_bytes", "largest unpacked size of an uploaded context (file bytes), else 400 (default 1 GiB)",
       [](auto& c, auto& v) { c.max_context_bytes = to_int("max_context_bytes", v); }},
      {"max_context_entries", "most tar entries in an uploaded context, else 400 (default 100000)",
       [](auto& c, auto& v) { c.max_context_entries = to_int("max_context_entries", v); }},
      {"context_roots", "absolute directories below which a build may name a server directory as its context (default: none, uploads only)",
       [](auto& c, auto& v) {
         c.context_roots.clear();
         for (const auto& root : split_trimmed(v, ",")) {
           if (!std::filesystem::path(root).is_absolute())
             throw_usage(fmt::format("context_roots: '{}' is not an absolute path", root));
           c.context_roots.emplace_back(root);
         }
       }},
      {"header_timeout", "seconds a client has to send a request's line and headers, else the connection is closed (default 10)",
       [](auto& c, auto& v) { c.header_timeout_seconds = positive_seconds("header_timeout", v); }},
      {"body_timeout", "seconds a client has to start a request body, after which it must keep body_min_rate (default 20)",
       [](auto& c, auto& v) { c.body_timeout_seconds = positive_seconds("body_timeout", v); }},
      {"body_min_rate", "bytes per second a request body must average after body_timeout, else the connection is closed (default 65536)",
       [](auto& c, auto& v) { c.body_min_rate = std::max<std::int64_t>(1, to_int("body_min_rate", v)); }},
      {"max_connections_per_client", "connections one client address may hold open at once; more are closed at once (default 16)",
       [](auto& c, auto& v) {
         c.max_connections_per_client = static_cast<int>(to_int("max_connections_per_client", v));
         if (c.max_connections_per_client < 1 || c.max_connections_per_client > 1000)
           throw_usage("max_connections_per_client: must be between 1 and 1000");
       }},
      {"max_log_streams", "log streams (GET /v1/builds/{id}/log) open at once, else 503 (default 1000)",
       [](auto& c, auto& v) {
         c.max_log_streams = static_cast<int>(to_int("max_log_streams", v));
         if (c.max_log_streams < 1 || c.max_log_streams > 100000) throw_usage("max_log_streams: must be between 1 and 100000");
       }},
      {"build_timeout", "longest a build may run, its verify step included, before it is stopped and failed; a build's own \"timeout\" may only be shorter (Go duration, default 1h)",
       [](auto& c, auto& v) { c.build_timeout = go_duration("build_timeout", v); }},
      {"retention_max_age", "finished builds that ended longer ago than this are removed with their log and report, "
                            "and uploaded contexts no build uses any more once this old; 0 keeps them (Go duration, default 720h)",
       [](auto& c, auto& v) { c.retention_max_age = v == "0" ? std::chrono::seconds(0) : go_duration("retention_max_age", v); }},
      {"retention_max_builds", "finished builds kept, the newest; older ones are removed with their log and report; 0: no bound (default 10000)",
       [](auto& c, auto& v) { c.retention_max_builds = to_int("retention_max_builds", v); }},
      {"retention_interval", "how often retention runs; it also runs at start (Go duration, default 10m)",
       [](auto& c, auto& v) { c.retention_interval = go_duration("retention_interval", v); }},
      {"rate_limit", "requests per second per token, sustained, else 429 (default 50)",
       [](auto& c, auto& v) { c.rate_limit = to_double("rate_limit", v); }},
      {"rate_burst", "requests a token may make at once (default 100)",
       [](auto& c, auto& v) { c.rate_burst = static_cast<int>(std::max<std::int64_t>(1, to_int("rate_burst", v))); }},
      {"plugin_binary", "kiln-plugin to run (default: beside kiln-server)", [](auto& c, auto& v) { c.plugin_binary = v; }},
      {"verify_binary", "kiln-verify to run (default: beside kiln-server)", [](auto& c, auto& v) { c.verify_binary = v; }},
      {"tls_cert", "PEM certificate; with tls_key the server speaks HTTPS", [](auto& c, auto& v) { c.tls_cert = v; }},
      {"tls_key", "PEM private key of tls_cert", [](auto& c, auto& v) { c.tls_key = v; }},
      {"log_level", "debug, info, warn or error", [](auto& c, auto& v) { c.log_level = v; }},
      {"webhook_allow_hosts", "hosts a build's or batch's webhook URL may name, comma separated: host (any port) or host:port, exact match (default: none, webhooks refused)",
       [](auto& c, auto& v) { c.webhooks.allow_hosts = webhook_hosts(v); }},
      {"webhook_allow_http", "true: webhook URLs may be plain http:// (default false: https only)",
       [](auto& c, auto& v) { c.webhooks.allow_http = to_bool("webhook_allow_http", v); }},
      {"webhook_secret_file", "file holding the key that signs webhook bodies (default <data_dir>/webhook.secret, made at first start)",
       [](auto& c, auto& v) { c.webhooks.secret_file = v; }},
      {"webhook_max_attempts", "attempts per webhook delivery, the first included (default 6)",
       [](auto& c, auto& v) {
         c.webhooks.max_attempts = static_cast<int>(to_int("webhook_max_attempts", v));
         if (c.webhooks.max_attempts < 1 || c.webhooks.max_attempts > 50) throw_usage("webhook_max_attempts: must be between 1 and 50");
       }},
      {"webhook_timeout", "longest one webhook attempt may take, connection and answer included (Go duration, default 10s)",
       [](auto& c, auto& v) { c.webhooks.timeout = bounded_duration("webhook_timeout", v, std::chrono::seconds(1), std::chrono::minutes(5)); }},
      {"webhook_retry_base", "wait before a webhook's second attempt; it doubles for each next one, with jitter (Go duration, default 10s)",
       [](auto& c, auto& v) { c.webhooks.retry_base = bounded_duration("webhook_retry_base", v, std::chrono::milliseconds(100), std::chrono::hours(1)); }},
      {"webhook_retry_max", "longest wait between two webhook attempts, a receiver's Retry-After included (Go duration, default 10m)",
       [](auto& c, auto& v) { c.webhooks.retry_max = bounded_duration("webhook_retry_max", v, std::chrono::milliseconds(100), std::chrono::hours(24)); }},
      {"webhook_retry_window", "no webhook attempt starts later than this after the first (Go duration, default 1h)",
       [](auto& c, auto& v) { c.webhooks.retry_window = bounded_duration("webhook_retry_window", v, std::chrono::seconds(1), std::chrono::hours(72)); }},
      {"webhook_workers", "webhook deliveries in flight at once, on their own threads (default 2)",
       [](auto& c, auto& v) {
         c.webhooks.workers = static_cast<int>(to_int("webhook_workers", v));
         if (c.webhooks.workers < 1 || c.webhooks.workers > 32) throw_usage("webhook_workers: must be between 1 and 32");
       }},
      {"kubernetes.kubeconfig", "kubeconfig file (empty: in-cluster)", [](auto& c, auto& v) { c.kubernetes.kubeconfig = v; }},
      {"kubernetes.namespace", "namespace of the build pods", [](auto& c, auto& v) { c.kubernetes.namespace_name = v; }},
      {"kubernetes.executor_image", "image the build pods run", [](auto& c, auto& v) { c.kubernetes.executor_image = v; }},
      {"kubernetes.registry_secret", "Secret with the registry credentials", [](auto& c, auto& v) { c.kubernetes.registry_secret = v; }},
      {"kubernetes.context_base_url", "URL of this server as the pods reach it", [](auto& c, auto& v) { c.kubernetes.context_base_url = v; }},
      {"kubernetes.deadline", "seconds a build pod may run, its activeDeadlineSeconds (default 3600)",
       [](auto& c, auto& v) {
         c.kubernetes.deadline_seconds = to_int("kubernetes.deadline", v);
         if (c.kubernetes.deadline_seconds < 1) throw_usage("kubernetes.deadline: must be at least 1 second");
       }},
  };
  return table;
}

const Key* find_key(const std::string& name) {
  for (const auto& k : keys())
    if (k.name == name) return &k;
  return nullptr;
}

// "kubernetes.namespace" -> KILN_SERVER_KUBERNETES_NAMESPACE
std::string env_name(const std::string& key) {
  std::string out = "KILN_SERVER_";
  for (char ch : key) out += ch == '.' ? '_' : static_cast<char>(::toupper(static_cast<unsigned char>(ch)));
  return out;
}

// Nested maps become dotted keys; sequences become comma-separated values.
void flatten(const YAML::Node& node, const std::string& prefix, const std::string& file,
             std::map<std::string, std::string>& out) {
  for (const auto& item : node) {
    const std::string key = prefix + item.first.as<std::string>();
    const YAML::Node& value = item.second;
    if (value.IsMap()) {
      flatten(value, key + ".", file, out);
    } else if (value.IsSequence()) {
      std::string joined;
      for (const auto& element : value) joined += (joined.empty() ? "" : ",") + element.as<std::string>();
      out[key] = joined;
    } else if (value.IsScalar()) {
      out[key] = value.as<std::string>();
    } else if (!value.IsNull()) {
      throw_usage(fmt::format("{}: {}: expected a value", file, key));
    }
  }
}

std::map<std::string, std::string> read_yaml(const std::string& file) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(file);
  } catch (const YAML::BadFile&) {
    throw_usage(fmt::format("{}: cannot read the configuration file", file));
  } catch (const YAML::Exception& e) {
    throw_usage(fmt::format("{}:{}: {}", file, e.mark.line + 1, e.msg));
  }
  std::map<std::string, std::string> values;
  if (root.IsNull()) return values;
  if (!root.IsMap()) throw_usage(fmt::format("{}: expected a map of settings", file));
  flatten(root, "", file, values);
  for (const auto& [key, value] : values)
    if (!find_key(key)) throw_usage(fmt::format("{}: unknown key '{}'", file, key));
  return values;
}

}  // namespace

ServerConfig load_server_config(const Env& env, const std::vector<std::string>& args) {
  std::map<std::string, std::string> flags;
  std::string config_file = env.get("KILN_SERVER_CONFIG").value_or("");
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg.rfind("--", 0) != 0) throw_usage(fmt::format("unexpected argument '{}'", arg));
    std::string name = arg.substr(2), value;
    if (const auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name.resize(eq);
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      throw_usage(fmt::format("--{} needs a value", name));
    }
    if (name == "config") {
      config_file = value;
      continue;
    }
    if (!find_key(name)) throw_usage(fmt::format("unknown flag --{}", name));
    flags[name] = value;
  }

  // A misspelt variable would otherwise leave its key at the default without a word.
  for (const auto& [name, value] : env.vars) {
    if (name.rfind("KILN_SERVER_", 0) != 0 || name == "KILN_SERVER_CONFIG") continue;
    const bool known = std::any_of(keys().begin(), keys().end(), [&](const Key& k) { return env_name(k.name) == name; });
    if (!known) throw_usage(fmt::format("{}: no kiln-server key has this variable (kiln-server --help lists them)", name));
  }

  std::map<std::string, std::string> values;
  if (!config_file.empty()) values = read_yaml(config_file);
  for (const auto& key : keys())
    if (auto v = env.get(env_name(key.name))) values[key.name] = *v;
  for (const auto& [k, v] : flags) values[k] = v;

  ServerConfig config;
  for (const auto& [k, v] : values) find_key(k)->apply(config, v);
  if (config.database.empty()) config.database = config.data_dir / "kiln-server.db";
  if (config.tls_cert.empty() != config.tls_key.empty()) throw_usage("tls_cert and tls_key: set both or neither");
  if (config.token_sha256.empty())
    throw_usage("token_sha256: no API token configured (hash one with `kiln-server hash-token`)");
  return config;
}

std::string server_help_text() {
  std::string out =
      "kiln-server: kiln builds as a service (HTTP API under /v1)\n\n"
      "usage: kiln-server [--config file.yaml] [--key value ...]\n"
      "       kiln-server hash-token < token-file   (prints the token_sha256 entry of a token)\n\nkeys (YAML key, --flag, variable):\n";
  for (const auto& k : keys()) out += fmt::format("  {:<30} {}  [{}]\n", k.name, k.help, env_name(k.name));
  return out;
}

}  // namespace kiln::server
