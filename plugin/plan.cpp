#include "plugin/plan.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/error.h"
#include "oci/credentials/docker_config.h"
#include "plugin/ci_context.h"
#include "plugin/docker_config_writer.h"
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

oci::Reference target_reference(const Settings& settings, const CiContext& ci) {
  std::string repo = destination_repo(settings, ci);
  if (repo.empty()) bad_setting("repo", "is required: the repository to push to, e.g. registry.example.com/team/app");
  // Users paste URLs (https://registry.example.com/team/app): a scheme on repo or registry is dropped.
  if (auto scheme = repo.find("://"); scheme != std::string::npos) repo = repo.substr(scheme + 3);
  // drone-kaniko and plugins/docker users write repo with or without the registry prefix, and
  // often keep registry at its Docker Hub default URL, which is never prefixed.
  const std::string registry = docker_config_key(settings.get("registry"));
  if (!registry.empty() && registry != docker_config_key("docker.io")) {
    if (!repo.starts_with(registry + "/")) repo = registry + "/" + repo;
  }
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

RegistryAccess parse_access(const Settings& settings) {
  RegistryAccess access;
  access.insecure = settings.get_bool("insecure");
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

std::int64_t source_date_epoch(const Env& env) {
  const auto value = env.get("SOURCE_DATE_EPOCH");
  if (!value) return 0;
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

oci::RegistryOptions RegistryAccess::options_for(const std::string& registry) const {
  oci::RegistryOptions options;
  options.insecure = insecure;
  options.timeout = timeout;
  options.max_attempts = max_attempts;
  auto it = ca_file_by_host.find(registry);
  options.ca_file = it != ca_file_by_host.end() ? it->second : default_ca_file;
  return options;
}

BuildPlan make_plan(const Settings& settings, const Env& env) {
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
                 .source_date_epoch = source_date_epoch(env),
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
  if (const std::string platform = settings.get("platform"); !platform.empty())
    plan.platform = checked("platform", [&] { return oci::Platform::parse(platform); });
  plan.push = !settings.get_bool("dry_run");
  plan.destinations = destinations;
  if (plan.destinations.empty())
    for (const std::string& tag : plan.tags) plan.destinations.push_back(plan.target.with_tag(tag));
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
