#include "kubernetes/cluster_config.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <optional>
#include <vector>

#include "core/error.h"
#include "core/log.h"
#include "core/read_file.h"
#include "core/text.h"
#include "inspect/base64.h"

namespace kiln::kubernetes {
namespace {

namespace fs = std::filesystem;

// A token, a certificate bundle or a namespace name: far below this.
constexpr std::size_t max_credential_file_bytes = 1 << 20;
// Certificates embedded as base64 make kubeconfigs the larger files; none comes near this.
constexpr std::size_t max_kubeconfig_bytes = 16 << 20;

std::string read_file(const fs::path& path, const std::string& what) {
  auto text = kiln::read_file(path, max_credential_file_bytes, what);
  if (!text) throw_usage(fmt::format("cannot read {} '{}'", what, path.string()));
  return std::move(*text);
}

std::string trimmed(const std::string& text) { return std::string(trim(text)); }

struct KubeconfigFile {
  fs::path path;
  YAML::Node doc;
};

// One named entry ("clusters", "users", "contexts") with the file it came from, because
// relative paths inside it are relative to that file (as kubectl resolves them).
struct NamedEntry {
  YAML::Node body;
  fs::path file;
};

std::optional<NamedEntry> find_named(const std::vector<KubeconfigFile>& files, const std::string& list,
                                     const std::string& field, const std::string& name) {
  for (const auto& file : files) {
    const YAML::Node entries = file.doc[list];
    if (!entries || !entries.IsSequence()) continue;
    for (const auto& entry : entries) {
      if (entry["name"] && entry["name"].as<std::string>() == name && entry[field])
        return NamedEntry{entry[field], file.path};
    }
  }
  return std::nullopt;
}

std::string scalar(const YAML::Node& node, const std::string& key) {
  const YAML::Node value = node[key];
  if (!value || value.IsNull()) return {};
  return value.as<std::string>();
}

fs::path relative_to(const fs::path& file, const std::string& path) {
  const fs::path p(path);
  return p.is_absolute() ? p : file.parent_path() / p;
}

// `<field>-data` (base64) wins over `<field>` (a file), as in client-go.
std::string pem_from(const NamedEntry& entry, const std::string& field, const std::string& where) {
  if (const std::string data = scalar(entry.body, field + "-data"); !data.empty())
    return inspect::base64_decode(data, fmt::format("{}-data of {}", field, where));
  if (const std::string file = scalar(entry.body, field); !file.empty())
    return read_file(relative_to(entry.file, file), fmt::format("{} of {}", field, where));
  return {};
}

}  // namespace

ClusterConfig read_kubeconfig(const std::vector<fs::path>& paths, const std::string& context_setting) {
  std::vector<KubeconfigFile> files;
  for (const auto& path : paths) {
    if (!fs::exists(path)) continue;  // kubectl skips missing entries of KUBECONFIG
    const auto text = kiln::read_file(path, max_kubeconfig_bytes, "kubeconfig");
    if (!text) throw_usage(fmt::format("cannot read kubeconfig '{}'", path.string()));
    try {
      files.push_back({path, YAML::Load(*text)});
    } catch (const YAML::Exception& e) {
      throw_usage(fmt::format("kubeconfig '{}': line {}: {}", path.string(), e.mark.line + 1, e.msg));
    }
  }
  if (files.empty()) throw_usage(fmt::format("no kubeconfig file found (looked at '{}')", paths.front().string()));
  const std::string where_files = files.front().path.string();

  std::string context_name = context_setting;
  for (const auto& file : files) {
    if (!context_name.empty()) break;
    context_name = scalar(file.doc, "current-context");
  }
  if (context_name.empty()) throw_usage(fmt::format("kubeconfig '{}' has no current-context; set kube-context", where_files));
  const auto context = find_named(files, "contexts", "context", context_name);
  if (!context) throw_usage(fmt::format("kubeconfig '{}' has no context '{}'", where_files, context_name));

  ClusterConfig config;
  config.source = fmt::format("kubeconfig '{}' context '{}'", where_files, context_name);
  config.namespace_name = scalar(context->body, "namespace");

  const std::string cluster_name = scalar(context->body, "cluster");
  const auto cluster = find_named(files, "clusters", "cluster", cluster_name);
  if (!cluster) throw_usage(fmt::format("{}: cluster '{}' is not defined", config.source, cluster_name));
  const std::string cluster_where = fmt::format("cluster '{}' in kubeconfig '{}'", cluster_name, cluster->file.string());
  config.server = scalar(cluster->body, "server");
  if (config.server.empty()) throw_usage(fmt::format("{} has no server", cluster_where));
  config.ca_pem = pem_from(*cluster, "certificate-authority", cluster_where);
  if (const YAML::Node insecure = cluster->body["insecure-skip-tls-verify"]; insecure && !insecure.IsNull())
    config.insecure_skip_tls_verify = insecure.as<bool>();

  const std::string user_name = scalar(context->body, "user");
  if (user_name.empty()) return config;  // anonymous, as kubectl allows
  const auto user = find_named(files, "users", "user", user_name);
  if (!user) throw_usage(fmt::format("{}: user '{}' is not defined", config.source, user_name));
  const std::string user_where = fmt::format("user '{}' in kubeconfig '{}'", user_name, user->file.string());
  for (const char* unsupported : {"exec", "auth-provider", "username", "password"}) {
    if (user->body[unsupported])
      throw_usage(fmt::format("{}: '{}' is not supported; use token, tokenFile or a client certificate", user_where,
                              unsupported));
  }
  config.token = scalar(user->body, "token");
  if (config.token.empty()) {
    if (const std::string token_file = scalar(user->body, "tokenFile"); !token_file.empty())
      config.token = trimmed(read_file(relative_to(user->file, token_file), fmt::format("tokenFile of {}", user_where)));
  }
  config.client_certificate_pem = pem_from(*user, "client-certificate", user_where);
  config.client_key_pem = pem_from(*user, "client-key", user_where);
  log::add_secret(config.token);
  log::add_secret(config.client_key_pem);
  if (config.client_certificate_pem.empty() != config.client_key_pem.empty())
    throw_usage(fmt::format("{}: client-certificate and client-key must be given together", user_where));
  return config;
}

ClusterConfig read_in_cluster(const Env& env, const fs::path& dir) {
  const auto host = env.get("KUBERNETES_SERVICE_HOST");
  const auto port = env.get("KUBERNETES_SERVICE_PORT");
  if (!host || !port)
    throw_usage("in-cluster configuration needs KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT");
  ClusterConfig config;
  config.source = fmt::format("in-cluster service account '{}'", dir.string());
  const bool ipv6 = host->find(':') != std::string::npos;
  config.server = fmt::format("https://{}{}{}:{}", ipv6 ? "[" : "", *host, ipv6 ? "]" : "", *port);
  config.token = trimmed(read_file(dir / "token", "service account token"));
  log::add_secret(config.token);
  config.ca_pem = read_file(dir / "ca.crt", "service account CA");
  if (fs::exists(dir / "namespace")) config.namespace_name = trimmed(read_file(dir / "namespace", "service account namespace"));
  return config;
}

ClusterConfig load_cluster_config(const Env& env, const ClusterSettings& settings) {
  ClusterConfig config;
  std::vector<fs::path> files;
  if (!settings.kubeconfig.empty()) {
    files.push_back(settings.kubeconfig);
    if (!fs::exists(files.front())) throw_usage(fmt::format("kubeconfig '{}' does not exist", settings.kubeconfig));
  } else if (const auto list = env.get("KUBECONFIG")) {
    for (const std::string& part : split(*list, ':'))
      if (!part.empty()) files.emplace_back(part);
  } else if (const auto home = env.get("HOME"); home && fs::exists(fs::path(*home) / ".kube" / "config")) {
    files.push_back(fs::path(*home) / ".kube" / "config");
  }
  if (!files.empty()) {
    config = read_kubeconfig(files, settings.context);
  } else if (env.get("KUBERNETES_SERVICE_HOST")) {
    config = read_in_cluster(env, settings.service_account_dir);
  } else {
    throw_usage("no Kubernetes cluster configured: set kubeconfig (or KUBECONFIG), or run in a pod");
  }
  if (!settings.namespace_name.empty()) config.namespace_name = settings.namespace_name;
  if (config.namespace_name.empty()) config.namespace_name = "default";
  return config;
}

}  // namespace kiln::kubernetes
