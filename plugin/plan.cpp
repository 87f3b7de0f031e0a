#include "plugin/plan.h"

#include <fmt/format.h>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <cctype>
#include <utility>

#include "core/error.h"
#include "core/text.h"
#include "oci/credentials/docker_config.h"
#include "plugin/ci_context.h"
#include "plugin/docker_config_writer.h"
#include "plugin/settings_table.h"
#include "plugin/tags.h"

namespace kiln::plugin {
namespace {

// An error about one setting: the message starts with the setting's name.
[[noreturn]] void bad_setting(const std::string& name, const std::string& why) {
  throw_usage(fmt::format("setting {}: {}", name, why));
}

template <typename F>
auto checked(const std::string& setting, F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const Error& e) {
    if (e.exit_class() != ExitClass::usage || std::string_view(e.what()).starts_with("setting ")) throw;
    bad_setting(setting, e.what());
  }
}

// drone-kaniko and plugins/docker users write repo (and cache_repo) with or without the registry
// prefix, and often keep registry at its Docker Hub default URL, which is never prefixed. Users
// paste URLs (https://registry.example.com/team/app): a scheme is dropped.
std::string with_registry_prefix(std::string repo, const Settings& settings) {
  if (auto scheme = repo.find("://"); scheme != std::string::npos) repo = repo.substr(scheme + 3);
  const std::string registry = docker_config_key(settings.get("registry"));
  if (!registry.empty() && registry != docker_config_key("docker.io")) {
    if (!repo.starts_with(registry + "/")) repo = registry + "/" + repo;
  }
  return repo;
}

oci::Reference target_reference(const Settings& settings, const CiContext& ci) {
  std::string repo = destination_repo(settings, ci);
  if (repo.empty()) bad_setting("repo", "is required: the repository to push to, e.g. registry.example.com/team/app");
  repo = with_registry_prefix(repo, settings);
  if (repo.find('@') != std::string::npos) bad_setting("repo", fmt::format("'{}' must not contain a digest", repo));
  return checked("repo", [&] { return oci::Reference::parse(repo); });
}

// destinations (Woodpecker): full references that replace repo, registry and tags.
std::vector<oci::Reference> explicit_destinations(const Settings& settings) {
  std::vector<oci::Reference> out;
  for (std::string item : settings.get_list("destinations")) {
    if (auto scheme = item.find("://"); scheme != std::string::npos) item = item.substr(scheme + 3);
    oci::Reference ref = checked("destinations", [&] { return oci::Reference::parse(item); });
    if (ref.digest()) bad_setting("destinations", fmt::format("'{}' must not contain a digest", item));
    if (std::find(out.begin(), out.end(), ref) == out.end()) out.push_back(std::move(ref));
  }
  return out;
}

// push_only pushes an image made earlier: source_tar_path (drone-kaniko), else tar_path, else
// oci_layout_path; a directory is an OCI layout, a file a docker-archive.
std::filesystem::path push_only_source(const Settings& settings) {
  if (!settings.get_bool("push_only")) return {};
  if (settings.get_bool("dry_run")) bad_setting("push_only", "cannot be combined with dry_run (no_push)");
  for (const char* name : {"source_tar_path", "tar_path", "oci_layout_path"})
    if (std::string value = settings.get(name); !value.empty()) {
      std::error_code ec;
      if (!std::filesystem::exists(value, ec)) bad_setting(name, fmt::format("{} does not exist (push_only)", value));
      return value;
    }
  bad_setting("push_only",
              "needs source_tar_path (a docker-archive), oci_layout_path (an OCI layout) or source_image to push");
}

std::vector<PlatformBinary> parse_binaries(const Settings& settings) {
  std::vector<PlatformBinary> out;
  for (const std::string& item : settings.get_list("binary")) {
    PlatformBinary b;
    auto eq = item.find('=');
    if (eq != std::string::npos) {
      b.platform = checked("binary", [&] { return oci::Platform::parse(item.substr(0, eq)); });
      b.path = item.substr(eq + 1);
    } else {
      b.path = item;
    }
    if (b.path.empty()) bad_setting("binary", fmt::format("'{}' names no file", item));
    std::error_code ec;
    if (!std::filesystem::is_regular_file(b.path, ec))
      bad_setting("binary", fmt::format("{} does not exist or is not a regular file", b.path.string()));
    out.push_back(std::move(b));
  }
  if (out.empty()) bad_setting("binary", "is required: the application binary to put at /usr/local/app/main");
  if (out.size() > 1) {
    for (const auto& b : out)
      if (!b.platform)
        bad_setting("binary", fmt::format("with several binaries each needs its platform, e.g. linux/arm64={}",
                                          b.path.string()));
    for (std::size_t i = 0; i < out.size(); ++i)
      for (std::size_t j = i + 1; j < out.size(); ++j)
        if (*out[i].platform == *out[j].platform)
          bad_setting("binary", fmt::format("platform {} is given twice", out[i].platform->to_string()));
  }
  return out;
}

oci::CompressionSettings parse_compression(const Settings& settings) {
  oci::CompressionSettings c;
  const std::string kind = settings.get("compression");
  if (kind == "gzip") c.kind = oci::Compression::gzip;
  else if (kind == "zstd") c.kind = oci::Compression::zstd;
  else if (kind == "none" || kind == "uncompressed") c.kind = oci::Compression::none;
  else bad_setting("compression", fmt::format("'{}' is not one of gzip, zstd, none", kind));
  c.level = static_cast<int>(settings.get_int("compression_level"));
  const int max = c.kind == oci::Compression::zstd ? 19 : 9;
  if (c.kind != oci::Compression::none && (c.level < 1 || c.level > max))
    bad_setting("compression_level", fmt::format("{} is out of range 1-{} for {}", c.level, max, kind));
  return c;
}

// Docker Hub's names all become docker.io, the name oci::Reference gives it.
std::string registry_host(std::string name) {
  if (auto scheme = name.find("://"); scheme != std::string::npos) name = name.substr(scheme + 3);
  while (name.ends_with("/")) name.pop_back();
  for (const char* hub : {"index.docker.io", "registry-1.docker.io", "registry.hub.docker.com", "index.docker.io/v1"})
    if (name == hub) return "docker.io";
  return name;
}

// skip_tls_verify_registry: registry names (Kaniko), or a boolean (drone-kaniko passes it as a
// bare flag): true means the registries pushed to.
std::set<std::string> skip_verify_registries(const Settings& settings, const std::set<std::string>& push_registries) {
  const std::string value = settings.get("skip_tls_verify_registry");
  for (const char* word : {"true", "false", "yes", "no", "on", "off"})
    if (value == word) return settings.get_bool("skip_tls_verify_registry") ? push_registries : std::set<std::string>{};
  std::set<std::string> out;
  for (const std::string& item : settings.get_list("skip_tls_verify_registry")) out.insert(registry_host(item));
  return out;
}

RegistryAccess parse_access(const Settings& settings) {
  RegistryAccess access;
  access.insecure = settings.get_bool("insecure");
  access.insecure_pull = settings.get_bool("insecure_pull");
  access.skip_tls_verify = settings.get_bool("skip_tls_verify");
  access.skip_tls_verify_pull = settings.get_bool("skip_tls_verify_pull");
  for (const std::string& item : settings.get_list("insecure_registry")) access.insecure_registries.insert(registry_host(item));
  access.timeout = settings.get_duration("registry_timeout");
  for (const std::string& item : settings.get_list("registry_certificate")) {
    auto eq = item.find('=');
    const std::string path = eq == std::string::npos ? item : item.substr(eq + 1);
    if (!std::filesystem::is_regular_file(path))
      bad_setting("registry_certificate", fmt::format("{} does not exist or is not a file", path));
    if (eq == std::string::npos) access.default_ca_file = path;
    else access.ca_file_by_host[item.substr(0, eq)] = path;
  }
  return access;
}

// Unix seconds, or ISO 8601 as GitLab writes CI_COMMIT_TIMESTAMP: 2024-05-01T12:30:45+02:00 (or Z,
// fractions allowed). nullopt for anything else.
std::optional<std::int64_t> parse_timestamp(const std::string& text) {
  if (!text.empty() && text.find_first_not_of("0123456789") == std::string::npos && text.size() <= 12)
    return std::stoll(text);
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, used = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &year, &month, &day, &hour, &minute, &second, &used) != 6 ||
      used != 19)
    return std::nullopt;
  std::size_t at = 19;
  if (at < text.size() && text[at] == '.')
    for (++at; at < text.size() && std::isdigit(static_cast<unsigned char>(text[at]));) ++at;
  std::int64_t offset = 0;
  const std::string zone = text.substr(at);
  if (zone != "Z" && zone != "z") {
    int zh = 0, zm = 0, zone_used = 0;
    if (zone.size() != 6 || (zone[0] != '+' && zone[0] != '-') ||
        std::sscanf(zone.c_str() + 1, "%2d:%2d%n", &zh, &zm, &zone_used) != 2 || zone_used != 5)
      return std::nullopt;
    offset = (zh * 3600 + zm * 60) * (zone[0] == '-' ? -1 : 1);
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return std::nullopt;
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  const std::int64_t seconds = static_cast<std::int64_t>(timegm(&tm)) - offset;
  if (seconds < 0) return std::nullopt;
  return seconds;
}

// The image's created time: SOURCE_DATE_EPOCH; else in CI the commit's time (reproducible for
// the commit, and a date that means something); else 0. reproducible (the executor's
// --reproducible, which sets 1970) keeps 0.
std::int64_t source_date_epoch(const Env& env, const CiContext& ci, const Settings& settings) {
  const auto value = env.get("SOURCE_DATE_EPOCH");
  if (!value) {
    if (ci.commit_timestamp.empty() || settings.get_bool("reproducible")) return 0;
    if (auto seconds = parse_timestamp(ci.commit_timestamp)) return *seconds;
    spdlog::warn("the CI's commit time '{}' is not a timestamp; the image's created time is 1970-01-01",
                 ci.commit_timestamp);
    return 0;
  }
  try {
    std::size_t used = 0;
    const long long n = std::stoll(*value, &used);
    if (used == value->size() && n >= 0) return n;
  } catch (const std::exception&) {
  }
  throw_usage(fmt::format("SOURCE_DATE_EPOCH '{}' is not a non-negative whole number of seconds", *value));
}

std::optional<std::filesystem::path> layer_cache_dir(const Settings& settings, const Env& env) {
  const std::string value = settings.get("layer_cache_dir");
  if (value == "none" || value == "off" || value == "false") return std::nullopt;
  if (!value.empty()) return std::filesystem::path(value);
  if (auto xdg = env.get("XDG_CACHE_HOME")) return std::filesystem::path(*xdg) / "kiln/layers";
  if (auto home = env.get("HOME")) return std::filesystem::path(*home) / ".cache/kiln/layers";
  return std::nullopt;
}

// `platform` (alias platforms) is a list. One run builds one platform, except a binary-on-base
// build whose binaries name exactly the platforms listed.
std::vector<oci::Platform> parse_platforms(const Settings& settings, const BuildPlan& plan) {
  std::vector<oci::Platform> out;
  for (const std::string& item : settings.get_list("platform", ",\n; "))
    out.push_back(checked("platform", [&] { return oci::Platform::parse(item); }));
  if (out.size() <= 1) return out;
  std::string names;
  for (const auto& p : out) names += (names.empty() ? "" : ", ") + p.to_string();
  if (plan.kind == BuildKind::binary_on_base && plan.binaries.size() == out.size()) {
    bool all_match = true;
    for (const auto& p : out) {
      bool found = false;
      for (const auto& b : plan.binaries) found = found || (b.platform && *b.platform == p);
      all_match = all_match && found;
    }
    if (all_match) return out;
  }
  bad_setting("platform",
              fmt::format("names {} platforms ({}): one build makes one platform's image (the Kaniko executor's "
                          "--custom-platform takes one); build a multi-platform image from one binary per platform "
                          "(binary: linux/amd64=out/amd64/main,linux/arm64=out/arm64/main), or run one step per platform",
                          out.size(), names));
}

// Build secrets, in the executor's --secret form. `secrets` (alias secret) holds items such as
// "id=npm,src=.npmrc" or "id=token,env=TOKEN"; a comma-joined list is cut before each "id=".
std::vector<std::string> secret_items(const std::string& raw) {
  std::vector<std::string> out;
  std::string current;
  for (const std::string& piece : split_trimmed(raw, ",\n;")) {
    if (piece.starts_with("id=") && !current.empty()) out.push_back(std::exchange(current, {}));
    current += (current.empty() ? "" : ",") + piece;
  }
  if (!current.empty()) out.push_back(current);
  return out;
}

void add_secret(BuildPlan& plan, const Env& env, const std::string& setting, const std::string& id,
                const std::string& src, const std::string& env_name) {
  if (id.empty()) bad_setting(setting, "each secret needs an id");
  if (!src.empty()) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(src, ec))
      bad_setting(setting, fmt::format("secret {}: {} does not exist or is not a file", id, src));
    plan.secrets.push_back(fmt::format("id={},src={}", id, src));
  } else {
    if (env_name.empty()) bad_setting(setting, fmt::format("secret {}: give src=FILE or env=VARIABLE", id));
    if (!env.get(env_name)) bad_setting(setting, fmt::format("secret {}: variable {} is not set", id, env_name));
    plan.secrets.push_back(fmt::format("id={},env={}", id, env_name));
    plan.secret_env_names.push_back(env_name);
  }
}

void parse_secrets(const Settings& settings, const Env& env, BuildPlan& plan) {
  for (const std::string& item : secret_items(settings.get("secrets"))) {
    std::string id, src, env_name;
    std::size_t start = 0;
    while (start <= item.size()) {
      const std::size_t comma = std::min(item.find(',', start), item.size());
      const std::string field = item.substr(start, comma - start);
      const auto eq = field.find('=');
      const std::string key = field.substr(0, eq), value = eq == std::string::npos ? "" : field.substr(eq + 1);
      if (key == "id") id = value;
      else if (key == "src" || key == "source") src = value;
      else if (key == "env") env_name = value;
      else if (key != "type") bad_setting("secrets", fmt::format("'{}' is not id=, src=, env= or type=", field));
      start = comma + 1;
    }
    add_secret(plan, env, "secrets", id, src, env_name);
  }
  // plugins/docker: NAME=VARIABLE and NAME=path.
  for (const char* setting : {"secrets_from_env", "secrets_from_file"})
    for (const std::string& item : settings.get_list(setting)) {
      const auto eq = item.find('=');
      if (eq == std::string::npos || eq == 0 || eq + 1 == item.size())
        bad_setting(setting, fmt::format("'{}' is not in the form id={}", item,
                                         std::string_view(setting) == "secrets_from_env" ? "VARIABLE" : "path"));
      const std::string id = item.substr(0, eq), value = item.substr(eq + 1);
      if (std::string_view(setting) == "secrets_from_env") add_secret(plan, env, setting, id, "", value);
      else add_secret(plan, env, setting, id, value, "");
    }
}

BackendChoice parse_backend(const Settings& settings) {
  const std::string value = settings.get("backend");
  if (value == "auto") return BackendChoice::automatic;
  if (value == "native") return BackendChoice::native;
  if (value == "kaniko") return BackendChoice::kaniko;
  bad_setting("backend", fmt::format("'{}' is not one of auto, native, kaniko", value));
}

}  // namespace

ImageOutputs image_outputs(const BuildPlan& plan) {
  return ImageOutputs{.destinations = plan.destinations, .push = plan.push, .oci_layout_path = plan.oci_layout_path,
                      .tar_path = plan.tar_path};
}

std::string kaniko_registry_name(const std::string& registry) {
  return registry == "docker.io" ? "index.docker.io" : registry;
}

oci::RegistryOptions RegistryAccess::options_for(const std::string& registry) const {
  oci::RegistryOptions options;
  const bool pull_only = !push_registries.contains(registry);
  options.insecure = insecure || insecure_registries.contains(registry) || (insecure_pull && pull_only);
  options.verify_tls = !(skip_tls_verify || skip_verify_registries.contains(registry) || (skip_tls_verify_pull && pull_only));
  options.timeout = timeout;
  options.max_attempts = max_attempts;
  auto it = ca_file_by_host.find(registry);
  options.ca_file = it != ca_file_by_host.end() ? it->second : default_ca_file;
  return options;
}

BuildPlan make_plan(const Settings& settings, const Env& env) {
  for (const char* name : {"cosign_private_key", "cosign_password", "cosign_params"})
    if (settings.has(name)) bad_setting(name, kNoSigning);
  const CiContext ci = read_ci_context(env);
  const TagPlan tags = resolve_tags(settings, ci, ".");
  if (tags.action == TagAction::skip) throw_usage(tags.reason);  // main() checks resolve_tags first
  // `binary` without an explicit Dockerfile is the binary-on-base template.
  const std::vector<oci::Reference> destinations = explicit_destinations(settings);
  const BuildKind kind = settings.has("binary") && !settings.has("dockerfile") ? BuildKind::binary_on_base
                                                                                : BuildKind::dockerfile;
  BuildPlan plan{.kind = kind,
                 .backend = parse_backend(settings),
                 .base = kind == BuildKind::dockerfile ? oci::Reference{} : checked("base_image",
                                 [&] {
                                   const std::string base = settings.get("base_image");
                                   if (base.empty())
                                     bad_setting("base_image", "is required for a binary-on-base build, e.g. "
                                                               "debian:bookworm-slim");
                                   return oci::Reference::parse(base);
                                 }),
                 .target = destinations.empty() ? target_reference(settings, ci) : destinations.front(),
                 .tags = destinations.empty() ? tags.tags : std::vector<std::string>{destinations.front().tag()},
                 .binaries = {},
                 .compression = {},
                 .source_date_epoch = source_date_epoch(env, ci, settings),
                 .access = parse_access(settings),
                 .digest_file = settings.get("digest_file"),
                 .layer_cache_dir = layer_cache_dir(settings, env)};
  plan.target = plan.target.with_tag(plan.tags.front());
  if (kind == BuildKind::binary_on_base) plan.binaries = parse_binaries(settings);
  plan.compression = parse_compression(settings);
  plan.context = settings.get("context");
  plan.dockerfile = settings.get("dockerfile");
  plan.target_stage = settings.get("target");
  plan.build_args = build_args(settings, env, nullptr);
  plan.platforms = parse_platforms(settings, plan);
  if (plan.platforms.size() == 1) plan.platform = plan.platforms.front();
  plan.push = !settings.get_bool("dry_run");
  plan.destinations = destinations;
  if (plan.destinations.empty())
    for (const std::string& tag : plan.tags) plan.destinations.push_back(plan.target.with_tag(tag));
  for (const oci::Reference& d : plan.destinations) plan.access.push_registries.insert(d.registry());
  plan.access.skip_verify_registries = skip_verify_registries(settings, plan.access.push_registries);
  if (std::string cache_repo = settings.get("cache_repo"); !cache_repo.empty())
    plan.cache_repo = cache_repo.starts_with("oci:") ? cache_repo : with_registry_prefix(cache_repo, settings);
  parse_secrets(settings, env, plan);
  if (settings.get_bool("push_only") && !settings.get("source_image").empty())
    plan.push_only_image = checked("source_image", [&] { return oci::Reference::parse(settings.get("source_image")); });
  else
    plan.push_only_source = push_only_source(settings);
  if (plan.push_only_source.empty() && !plan.push_only_image) {
    plan.oci_layout_path = settings.get("oci_layout_path");
    plan.tar_path = settings.get("tar_path");
  }
  // created: the time the native backend stamps on the image config, SOURCE_DATE_EPOCH or 0,
  // so an unchanged rebuild keeps its digest. run_build() moves it to now for the executor.
  plan.labels = image_labels(settings, ci, plan.source_date_epoch);
  return plan;
}

namespace {

// The first keychain that knows the registry answers.
class FirstOfKeychain final : public oci::Keychain {
 public:
  explicit FirstOfKeychain(std::vector<std::shared_ptr<const oci::Keychain>> chain) : chain_(std::move(chain)) {}
  oci::Credential resolve(const std::string& registry) const override {
    for (const auto& keychain : chain_)
      if (oci::Credential c = keychain->resolve(registry); !c.empty()) return c;
    return {};
  }

 private:
  std::vector<std::shared_ptr<const oci::Keychain>> chain_;
};

}  // namespace

std::shared_ptr<const oci::Keychain> make_keychain(const Settings& settings, const BuildPlan&, const Env& env) {
  // The same document the kaniko backend writes, so both backends push with the same logins.
  oci::CredentialHelperOptions helpers;
  for (const char* name : {"PATH", "HOME"})
    if (auto value = env.get(name)) helpers.env[name] = *value;
  auto merged = std::make_shared<oci::DockerConfigKeychain>(make_docker_config(settings, read_ci_context(env)),
                                                            "kiln credentials (settings)", helpers);
  auto from_file = std::make_shared<oci::DockerConfigKeychain>(oci::DockerConfigKeychain::from_env(env));
  return std::make_shared<FirstOfKeychain>(std::vector<std::shared_ptr<const oci::Keychain>>{merged, from_file});
}

}  // namespace kiln::plugin
