#include "plugin/backend/kaniko/kaniko_settings.h"

#include <fmt/format.h>

#include <cctype>
#include <filesystem>
#include <set>
#include <utility>

#include "core/duration.h"
#include "core/error.h"
#include "oci/json.h"
#include "oci/reference.h"

namespace kiln::plugin {
namespace {

std::optional<bool> tri_state(const Settings& settings, const std::string& name) {
  if (!settings.has(name)) return std::nullopt;
  return settings.get_bool(name);
}

std::optional<int> optional_int(const Settings& settings, const std::string& name) {
  if (!settings.has(name)) return std::nullopt;
  return static_cast<int>(settings.get_int(name));
}

// drone-kaniko takes whole hours, the Woodpecker plugin a Go duration ("24h", "90m").
std::optional<std::chrono::seconds> cache_ttl(const Settings& settings) {
  const std::string value = settings.get("cache_ttl");
  if (value.empty()) return std::nullopt;
  if (value.find_first_not_of("0123456789") == std::string::npos) return std::chrono::hours(std::stoll(value));
  const auto duration = parse_go_duration(value);
  if (!duration) throw_usage(fmt::format("setting cache_ttl: '{}' is not a duration like 24h", value));
  return std::chrono::duration_cast<std::chrono::seconds>(*duration);
}

template <typename Enum>
std::optional<Enum> choice(const Settings& settings, const std::string& name,
                           std::initializer_list<std::pair<const char*, Enum>> options) {
  const std::string value = settings.get(name);
  if (value.empty()) return std::nullopt;
  std::string allowed;
  for (const auto& [text, e] : options) {
    if (value == text) return e;
    allowed += (allowed.empty() ? "" : ", ") + std::string(text);
  }
  throw_usage(fmt::format("setting {}: '{}' is not one of {}", name, value, allowed));
}

std::pair<std::string, std::string> split_at(const std::string& item, char sep, const std::string& setting,
                                             const std::string& form) {
  const auto at = item.find(sep);
  if (at == std::string::npos || at == 0 || at + 1 == item.size())
    throw_usage(fmt::format("setting {}: '{}' is not in the form {}", setting, item, form));
  return {item.substr(0, at), item.substr(at + 1)};
}

// The registries a build talks to that kiln can name: the destinations', the cache's, the
// login registries, the mirrors and the binary's base image.
std::set<std::string> known_registries(const Settings& settings, const BuildPlan& plan) {
  std::set<std::string> out(plan.access.push_registries.begin(), plan.access.push_registries.end());
  auto add_reference = [&](const std::string& text) {
    try {
      out.insert(oci::Reference::parse(text).registry());
    } catch (const Error&) {
    }
  };
  if (!plan.cache_repo.empty() && !plan.cache_repo.starts_with("oci:")) add_reference(plan.cache_repo + ":x");
  for (const char* name : {"registry", "base_image_registry"})
    if (std::string host = settings.get(name); !host.empty()) add_reference(host + "/x:x");
  for (const std::string& mirror : settings.get_list("registry_mirrors")) add_reference(mirror + "/x:x");
  if (plan.kind == BuildKind::binary_on_base) out.insert(plan.base.registry());
  return out;
}

}  // namespace

std::vector<std::string> extra_opts_words(const std::string& raw) {
  std::vector<std::string> items;
  const auto list = oci::Json::parse(raw, nullptr, /*allow_exceptions=*/false);
  if (list.is_array()) {
    for (const auto& item : list)
      if (item.is_string()) items.push_back(item.get<std::string>());
  } else {
    items.push_back(raw);
  }
  std::vector<std::string> words;
  for (const std::string& item : items) {
    std::string word;
    auto flush = [&] {
      if (!word.empty()) words.push_back(std::exchange(word, {}));
    };
    for (std::size_t i = 0; i < item.size(); ++i) {
      const char c = item[i];
      // A CI list arrives comma-joined: "--a,--b". A comma before another flag ends a word; one
      // inside a value (--label=k=a,b) does not.
      if (std::isspace(static_cast<unsigned char>(c)) || (c == ',' && i + 1 < item.size() && item[i + 1] == '-')) flush();
      else word += c;
    }
    flush();
  }
  return words;
}

KanikoOptions kaniko_options(const Settings& settings, const BuildPlan& plan, const std::string& docker_config_dir,
                             const std::string& dockerfile) {
  KanikoOptions o;
  o.executor = settings.get("executor");
  o.docker_config_dir = docker_config_dir;
  o.dockerfile = dockerfile;
  const std::string context = std::filesystem::absolute(plan.context).lexically_normal().string();
  o.context = plan.context.string().find("://") != std::string::npos ? plan.context.string() : "dir://" + context;
  o.context_sub_path = settings.get("context_sub_path");
  // The executor tags its tarball with the destinations, so they go along with no_push too.
  if (plan.push || !settings.get("tar_path").empty())
    for (const oci::Reference& destination : plan.destinations) o.destinations.push_back(destination.to_string());
  o.no_push = !plan.push;
  for (const BuildArg& arg : plan.build_args)
    o.build_args.push_back({.name = arg.name, .value = arg.from_env ? std::nullopt : std::optional(arg.value)});
  for (const auto& [key, value] : plan.labels) o.labels.push_back({.key = key, .value = value});
  o.target = plan.target_stage;
  o.registry_mirrors = settings.get_list("registry_mirrors");

  o.insecure = settings.get_bool("insecure");
  o.insecure_pull = settings.get_bool("insecure_pull");
  o.insecure_registries = settings.get_list("insecure_registry");
  o.skip_tls_verify = settings.get_bool("skip_tls_verify");
  o.skip_tls_verify_pull = settings.get_bool("skip_tls_verify_pull");
  for (const std::string& registry : plan.access.skip_verify_registries)
    o.skip_tls_verify_registries.push_back(kaniko_registry_name(registry));
  o.skip_default_registry_fallback = settings.get_bool("skip_default_registry_fallback");
  o.skip_push_permission_check = settings.get_bool("skip_push_permission_check");
  o.secrets = plan.secrets;
  for (const auto& [host, path] : plan.access.ca_file_by_host) o.registry_certificates.push_back({.registry = host, .path = path});
  // A bare path (drone-kaniko passes it as it is, which the executor rejects): the CA of every
  // registry kiln knows the build uses.
  if (!plan.access.default_ca_file.empty())
    for (const std::string& registry : known_registries(settings, plan))
      if (!plan.access.ca_file_by_host.contains(registry))
        o.registry_certificates.push_back({.registry = kaniko_registry_name(registry), .path = plan.access.default_ca_file});
  for (const std::string& item : settings.get_list("registry_client_cert")) {
    auto [host, files] = split_at(item, '=', "registry_client_cert", "host=cert,key");
    auto [cert, key] = split_at(files, ',', "registry_client_cert", "host=cert,key");
    o.registry_client_certs.push_back({.registry = host, .cert_path = cert, .key_path = key});
  }

  o.cache.enabled = settings.get_bool("cache");
  o.cache.repo = plan.cache_repo;
  o.cache.ttl = cache_ttl(settings);
  o.cache.dir = settings.get("cache_dir");
  o.cache.copy_layers = settings.get_bool("cache_copy_layers");
  o.cache.run_layers = tri_state(settings, "cache_run_layers");
  o.cache.compressed_caching = tri_state(settings, "compressed_caching");
  if (settings.has("compression")) {
    if (plan.compression.kind == oci::Compression::gzip) o.compression = KanikoCompression::gzip;
    else if (plan.compression.kind == oci::Compression::zstd) o.compression = KanikoCompression::zstd;
    else throw_usage("setting compression: the kaniko executor compresses layers with gzip or zstd, not none");
  }
  if (settings.has("compression_level")) o.compression_level = plan.compression.level;
  o.snapshot_mode = choice<SnapshotMode>(settings, "snapshot_mode",
                                         {{"full", SnapshotMode::full}, {"redo", SnapshotMode::redo}, {"time", SnapshotMode::time}});

  // image_name_with_digest_file and image_name_tag_with_digest_file are not passed on: kiln
  // writes every output file itself after a successful push (plugin/outputs.h), for both
  // backends alike. The executor writes its files before pushing, so a failed push would leave
  // them behind.
  o.tar_path = settings.get("tar_path");
  o.oci_layout_path = settings.get("oci_layout_path");
  o.push_retry = optional_int(settings, "push_retry");
  o.no_push_cache = settings.get_bool("no_push_cache");
  o.image_download_retry = optional_int(settings, "image_download_retry");
  o.image_fs_extract_retry = optional_int(settings, "image_fs_extract_retry");
  o.verbosity = choice<KanikoVerbosity>(settings, "log_level",
                                        {{"trace", KanikoVerbosity::trace}, {"debug", KanikoVerbosity::debug},
                                         {"info", KanikoVerbosity::info}, {"warn", KanikoVerbosity::warn},
                                         {"warning", KanikoVerbosity::warn}, {"error", KanikoVerbosity::error},
                                         {"fatal", KanikoVerbosity::fatal}, {"panic", KanikoVerbosity::panic},
                                         {"quiet", KanikoVerbosity::error}});
  o.log_format = choice<KanikoLogFormat>(settings, "log_format",
                                         {{"text", KanikoLogFormat::text}, {"color", KanikoLogFormat::color},
                                          {"json", KanikoLogFormat::json}});
  o.log_timestamp = settings.get_bool("log_timestamp");
  if (plan.platforms.size() > 1)
    throw_usage("setting platform: the Kaniko executor builds one platform per run; give one platform");
  if (plan.platform) o.custom_platform = settings.get_list("platform", ",\n; ").front();
  o.skip_unused_stages = settings.get_bool("skip_unused_stages");
  o.cleanup = settings.get_bool("cleanup");
  o.force = settings.get_bool("force");
  o.reproducible = settings.get_bool("reproducible");
  o.single_snapshot = settings.get_bool("single_snapshot");
  o.use_new_run = settings.get_bool("use_new_run");
  o.ignore_paths = settings.get_list("ignore_path");
  o.ignore_var_run = tri_state(settings, "ignore_var_run");
  o.extra_args = extra_opts_words(settings.get("extra_opts"));
  return o;
}

}  // namespace kiln::plugin
