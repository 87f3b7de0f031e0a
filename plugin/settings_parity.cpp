#include "plugin/settings_parity.h"

#include <Poco/String.h>
#include <fmt/format.h>

#include <algorithm>
#include <sstream>

#include "plugin/settings.h"

namespace kiln::plugin {
namespace {

constexpr Parity same = Parity::same, differs = Parity::differs, refused = Parity::refused, warned = Parity::warned;

// Texts shared by the anchors.
constexpr const char* kNativeTuning =
    "natively: no effect, with a warning (it tunes the executor; the image is the same)";
constexpr const char* kOutputsAfterPush =
    "kiln writes it after the push succeeded, for both backends; the executor (asked by the anchor) writes it before "
    "pushing, so a failed push left it behind";
constexpr const char* kConfigMerged =
    "merged with the other logins (username/password, GitLab's, DOCKER_AUTH_CONFIG) instead of replacing them; its "
    "own entries win";
constexpr const char* kExecutorOnly =
    "the executor only: `backend: auto` then builds with Kaniko, `backend: native` is refused (exit 2)";
constexpr const char* kPushRegistryEnv =
    "kiln reads it as plugins/docker does, for the push login; drone-kaniko reads it for the base image login (set "
    "base_image_* for that)";
constexpr const char* kDaemon = "kiln runs no Docker daemon";
constexpr const char* kNoSigningShort = "kiln does not sign images: sign in a later step (cosign, with the digest from digest_file)";
constexpr const char* kCreated =
    "org.opencontainers.image.created is the image's created time: SOURCE_DATE_EPOCH, else in CI the commit's time "
    "(GitLab CI_COMMIT_TIMESTAMP; Drone and Woodpecker: the pipeline's creation), else 1970 (natively; the executor "
    "stamps the build's time); plugins/docker stamps the build's time";

std::vector<ParityEntry> drone_kaniko() {
  return {
      {"PLUGIN_DOCKERFILE"},
      {"PLUGIN_CONTEXT"},
      {"DRONE_COMMIT_REF"},
      {"DRONE_REPO_BRANCH"},
      {"PLUGIN_TAGS", same, "also a JSON array, and the .tags file when unset"},
      {"PLUGIN_EXPAND_REPO", differs,
       "kiln prefixes the registry onto repo and cache_repo whenever registry is set (not Docker Hub) and they lack "
       "it, with or without expand_repo"},
      {"PLUGIN_EXPAND_TAG"},
      {"PLUGIN_AUTO_TAG"},
      {"PLUGIN_CONFIG", differs, kConfigMerged},
      {"PLUGIN_AUTO_TAG_SUFFIX"},
      {"PLUGIN_BUILD_ARGS"},
      {"PLUGIN_BUILD_ARGS_NEW"},
      {"PLUGIN_MULTIPLE_BUILD_ARGS", differs, "build_args_new is read whenever it is set; this switch changes nothing"},
      {"PLUGIN_TARGET"},
      {"PLUGIN_REPO", same, "a URL's scheme is dropped"},
      {"PLUGIN_CUSTOM_LABELS", same, "applied by both backends"},
      {"PLUGIN_REGISTRY"},
      {"PLUGIN_DOCKER_REGISTRY"},
      {"PLUGIN_BASE_IMAGE_REGISTRY"},
      {"DOCKER_REGISTRY", differs, kPushRegistryEnv},
      {"PLUGIN_REGISTRY_MIRRORS", same, kExecutorOnly},
      {"PLUGIN_USERNAME"},
      {"PLUGIN_DOCKER_USERNAME"},
      {"PLUGIN_BASE_IMAGE_USERNAME"},
      {"DOCKER_USERNAME", differs, kPushRegistryEnv},
      {"PLUGIN_PASSWORD"},
      {"PLUGIN_DOCKER_PASSWORD"},
      {"PLUGIN_BASE_IMAGE_PASSWORD"},
      {"DOCKER_PASSWORD", differs, kPushRegistryEnv},
      {"PLUGIN_SKIP_TLS_VERIFY", same, "natively too"},
      {"PLUGIN_SNAPSHOT_MODE", same, kNativeTuning},
      {"PLUGIN_ENABLE_CACHE", same, kNativeTuning},
      {"PLUGIN_CACHE_REPO", differs,
       "passed whenever set (drone-kaniko: only with enable_cache; the executor ignores it without --cache); the "
       "registry is prefixed as onto repo. " + std::string(kNativeTuning)},
      {"PLUGIN_CACHE_TTL", same, "whole hours as in drone-kaniko, or a Go duration (24h). " + std::string(kNativeTuning)},
      {"PLUGIN_ARTIFACT_FILE", same, "written after the push"},
      {"PLUGIN_NO_PUSH", same, "natively too: into tar_path / oci_layout_path"},
      {"PLUGIN_TAR_PATH"},
      {"PLUGIN_DESTINATION_TAR_PATH"},
      {"PLUGIN_VERBOSITY", same, "also kiln's own log level"},
      {"PLUGIN_PLATFORM", same,
       "a list (linux/amd64,linux/arm64) is refused, exit 2: one run builds one platform, except a binary-on-base build "
       "with one binary per platform"},
      {"PLUGIN_CUSTOM_PLATFORM"},
      {"PLUGIN_SKIP_UNUSED_STAGES", same, kNativeTuning},
      {"DRONE_OUTPUT", same, "digest=, plus IMAGE_DIGEST= and IMAGE_REF="},
      {"PLUGIN_CACHE_DIR", same, kNativeTuning},
      {"PLUGIN_CACHE_COPY_LAYERS", same, kNativeTuning},
      {"PLUGIN_CACHE_RUN_LAYERS", differs,
       "false is passed on too (--cache-run-layers=false); drone-kaniko drops it. " + std::string(kNativeTuning)},
      {"PLUGIN_CLEANUP", same, kNativeTuning},
      {"PLUGIN_COMPRESSED_CACHING", same, kNativeTuning},
      {"PLUGIN_CONTEXT_SUB_PATH", same, "natively too"},
      {"PLUGIN_FORCE", same, kNativeTuning},
      {"PLUGIN_IMAGE_NAME_WITH_DIGEST_FILE", differs, kOutputsAfterPush},
      {"PLUGIN_IMAGE_NAME_TAG_WITH_DIGEST_FILE", differs, kOutputsAfterPush},
      {"PLUGIN_INSECURE", same, "natively too: plain HTTP"},
      {"PLUGIN_INSECURE_PULL", same, "natively: every registry not pushed to"},
      {"PLUGIN_INSECURE_REGISTRY", same, "a list; natively too"},
      {"PLUGIN_LOG_FORMAT", same, kNativeTuning},
      {"PLUGIN_LOG_TIMESTAMP", same, kNativeTuning},
      {"PLUGIN_OCI_LAYOUT_PATH", same, "natively too"},
      {"PLUGIN_PUSH_RETRY", same, kNativeTuning},
      {"PLUGIN_REGISTRY_CERTIFICATE", differs,
       "a bare path (which the executor rejects when drone-kaniko passes it on) is trusted for every registry: natively "
       "for all, for the executor as one --registry-certificate per registry kiln knows the build uses (destinations, "
       "cache_repo, registry, base_image_registry, mirrors)"},
      {"PLUGIN_REGISTRY_CLIENT_CERT"},
      {"PLUGIN_SKIP_DEFAULT_REGISTRY_FALLBACK", same, kExecutorOnly},
      {"PLUGIN_REPRODUCIBLE", same, "natively: the created time stays 1970 unless SOURCE_DATE_EPOCH is set"},
      {"PLUGIN_SINGLE_SNAPSHOT", same, kExecutorOnly},
      {"PLUGIN_SKIP_PUSH_PERMISSION_CHECK", same, "the native backend makes no such check"},
      {"PLUGIN_SKIP_TLS_VERIFY_PULL", same, "natively: every registry not pushed to"},
      {"PLUGIN_SKIP_TLS_VERIFY_REGISTRY", differs,
       "drone-kaniko's boolean passes a bare --skip-tls-verify-registry the executor cannot parse; kiln takes true as "
       "the registries pushed to, and also a list of registries (Kaniko's form); natively too"},
      {"PLUGIN_USE_NEW_RUN", same, kNativeTuning},
      {"PLUGIN_IGNORE_VAR_RUN", same, "false: " + std::string(kExecutorOnly)},
      {"PLUGIN_IGNORE_PATH", same, kExecutorOnly},
      {"PLUGIN_IGNORE_PATHS", same, kExecutorOnly},
      {"PLUGIN_IMAGE_FS_EXTRACT_RETRY", same, kNativeTuning},
      {"PLUGIN_IMAGE_DOWNLOAD_RETRY", same, kNativeTuning},
      {"PLUGIN_SOURCE_TAR_PATH"},
      {"PLUGIN_PUSH_ONLY", same, "also an OCI layout (oci_layout_path) or source_image"},
      {"PLUGIN_ENV_FILE", same, "loaded before any setting; variables already set win (godotenv.Load)"},
  };
}

std::vector<ParityEntry> plugin_kaniko() {
  return {
      {"PLUGIN_AUTO_TAG", same, "the tag's parts; the default branch gets latest"},
      {"PLUGIN_BUILD_ARGS"},
      {"PLUGIN_BUILD_ARGS_FROM_ENV", differs,
       "the executor reads the value from its environment (a bare --build-arg NAME): it never appears on a command line"},
      {"PLUGIN_CACHE", same, kNativeTuning},
      {"PLUGIN_CACHE_REPO", differs,
       "the registry is prefixed only when registry is set and cache_repo lacks it (the plugin always prefixes, also "
       "its default https://index.docker.io/v1/). " + std::string(kNativeTuning)},
      {"PLUGIN_CACHE_TTL", same, kNativeTuning},
      {"PLUGIN_CLEANUP", same, kNativeTuning},
      {"PLUGIN_CONTEXT"},
      {"PLUGIN_DESTINATIONS"},
      {"PLUGIN_DOCKERFILE"},
      {"PLUGIN_DOCKER_CONFIG_JSON", differs, kConfigMerged},
      {"PLUGIN_DRY_RUN", same, "natively too"},
      {"PLUGIN_ENV_FILE", differs,
       "read before any setting (the plugin reads it after PLUGIN_REGISTRY); a missing file is exit 2 (the plugin "
       "skips it); variables already set win (the plugin overwrites them)"},
      {"PLUGIN_EXTRA_OPTS", same, "split on whitespace as the plugin's shell does, and between list items. " +
                                      std::string(kExecutorOnly)},
      {"PLUGIN_IGNORE_VAR_RUN", same, "false: " + std::string(kExecutorOnly)},
      {"PLUGIN_INSECURE", same, "natively too"},
      {"PLUGIN_INSECURE_PULL", same, "natively: every registry not pushed to"},
      {"PLUGIN_INSECURE_REGISTRY", same, "natively too"},
      {"PLUGIN_JSON_KEY", same,
       "a 0600 file named by GOOGLE_APPLICATION_CREDENTIALS for the executor; also the login _json_key for the push "
       "registry, which the native backend uses"},
      {"PLUGIN_LOG_LEVEL"},
      {"PLUGIN_MIRRORS", same, kExecutorOnly},
      {"PLUGIN_PASSWORD"},
      {"PLUGIN_REGISTRY", differs, "not prefixed onto repo when repo already starts with it, nor when it is Docker Hub"},
      {"PLUGIN_REPO", differs, "required unless dry_run (the plugin builds without pushing when it is unset)"},
      {"PLUGIN_SINGLE_SNAPSHOT", same, kExecutorOnly},
      {"PLUGIN_SKIP_TLS_VERIFY", same, "natively too"},
      {"PLUGIN_TAGS"},
      {"PLUGIN_TARGET"},
      {"PLUGIN_USERNAME"},
  };
}

std::vector<ParityEntry> drone_docker() {
  std::vector<ParityEntry> out = {
      {"PLUGIN_DRY_RUN"},
      {"PLUGIN_NO_PUSH"},
      {"DRONE_REMOTE_URL", same, "the org.opencontainers.image.source label (setting remote_url)"},
      {"DRONE_COMMIT_SHA", same, "the org.opencontainers.image.revision label"},
      {"DRONE_COMMIT_REF"},
      {"PLUGIN_MIRROR", same, "a Docker Hub mirror for the executor. " + std::string(kExecutorOnly)},
      {"DOCKER_PLUGIN_MIRROR", same, kExecutorOnly},
  };
  for (const char* name : {"PLUGIN_STORAGE_DRIVER", "PLUGIN_STORAGE_PATH", "PLUGIN_BIP", "PLUGIN_MTU",
                           "PLUGIN_CUSTOM_DNS", "PLUGIN_CUSTOM_DNS_SEARCH"})
    out.push_back({name, warned, kDaemon});
  out.push_back({"PLUGIN_INSECURE", same, "plain HTTP to the registries"});
  for (const char* name : {"PLUGIN_IPV6", "PLUGIN_EXPERIMENTAL", "PLUGIN_DEBUG", "DOCKER_LAUNCH_DEBUG",
                           "PLUGIN_DAEMON_OFF", "PLUGIN_DAEMON_RETRY_COUNT"})
    out.push_back({name, warned, kDaemon});
  const std::vector<ParityEntry> rest = {
      {"PLUGIN_DOCKERFILE"},
      {"PLUGIN_CONTEXT"},
      {"PLUGIN_TAG"},
      {"PLUGIN_TAGS"},
      {"PLUGIN_DEFAULT_TAGS"},
      {"PLUGIN_AUTO_TAG"},
      {"PLUGIN_DEFAULT_SUFFIX"},
      {"PLUGIN_AUTO_TAG_SUFFIX"},
      {"PLUGIN_BUILD_ARGS"},
      {"PLUGIN_BUILD_ARGS_FROM_ENV", same, "the value never appears on a command line"},
      {"PLUGIN_BUILD_ARGS_NEW"},
      {"PLUGIN_MULTIPLE_BUILD_ARGS", differs, "build_args_new is read whenever it is set"},
      {"PLUGIN_QUIET", warned, "use log_level: warn"},
      {"PLUGIN_TARGET"},
      {"PLUGIN_CACHE_FROM", warned, "kiln caches layers with cache and cache_repo, or layer_cache_dir"},
      {"PLUGIN_SQUASH", same, "single_snapshot: the build's changes become one layer on the base's. " +
                                  std::string(kExecutorOnly)},
      {"PLUGIN_PULL_IMAGE", warned, "base images are always resolved from the registry"},
      {"PLUGIN_COMPRESS", warned, "there is no context upload to a daemon to compress"},
      {"PLUGIN_REPO"},
      {"PLUGIN_CUSTOM_LABELS"},
      {"PLUGIN_LABEL_SCHEMA", same, "org.opencontainers.image.<name>, with auto_label only"},
      {"PLUGIN_AUTO_LABEL", differs, kCreated},
      {"PLUGIN_REPO_LINK", same, "the org.opencontainers.image.url label (setting link)"},
      {"DRONE_REPO_LINK", same, "the org.opencontainers.image.url label"},
      {"PLUGIN_REGISTRY"},
      {"DOCKER_REGISTRY"},
      {"PLUGIN_USERNAME"},
      {"DOCKER_USERNAME"},
      {"PLUGIN_PASSWORD"},
      {"DOCKER_PASSWORD"},
      {"PLUGIN_DOCKER_USERNAME"},
      {"PLUGIN_BASE_IMAGE_USERNAME"},
      {"DOCKER_BASE_IMAGE_USERNAME"},
      {"PLUGIN_DOCKER_PASSWORD"},
      {"PLUGIN_BASE_IMAGE_PASSWORD"},
      {"DOCKER_BASE_IMAGE_PASSWORD"},
      {"PLUGIN_DOCKER_REGISTRY"},
      {"PLUGIN_BASE_IMAGE_REGISTRY"},
      {"DOCKER_BASE_IMAGE_REGISTRY"},
      {"PLUGIN_EMAIL", warned, "registries no longer use an e-mail address"},
      {"DOCKER_EMAIL", warned, "registries no longer use an e-mail address"},
      {"PLUGIN_CONFIG", differs, kConfigMerged},
      {"DOCKER_PLUGIN_CONFIG", differs, kConfigMerged},
      {"PLUGIN_PURGE", warned, kDaemon},
      {"DRONE_REPO_BRANCH"},
      {"PLUGIN_NO_CACHE", warned, "the executor cache is used only with cache: true"},
      {"PLUGIN_ADD_HOST", warned, kDaemon},
      {"PLUGIN_SECRET", same, "the executor's --secret (RUN --mount=type=secret); a RUN-less Dockerfile reads none"},
      {"PLUGIN_SECRETS_FROM_ENV", same,
       "--secret id=ID,env=VARIABLE; an unset variable is exit 2 (plugins/docker drops the secret)"},
      {"PLUGIN_SECRETS_FROM_FILE", same, "--secret id=ID,src=path; a missing file is exit 2"},
      {"DRONE_CARD_PATH", differs,
       "the card is written from the pushed image, read back from the registry: Size and VirtualSize are the "
       "compressed layer sizes (docker's are unpacked), and a registry other than Docker Hub, ECR or GCR links to "
       "https://<registry>/<repository> (plugins/docker links it to Docker Hub)"},
      {"PLUGIN_PLATFORM", same, "one platform per run (a list: one binary per platform, binary-on-base)"},
      {"PLUGIN_SSH_AGENT_KEY", warned, kDaemon},
      {"PLUGIN_ARTIFACT_FILE"},
      {"PLUGIN_REGISTRY_TYPE", same, "Docker, ECR, GCR, GAR or ACR; anything else is exit 2"},
      {"ACCESS_TOKEN"},
      {"PLUGIN_COSIGN_PRIVATE_KEY", refused, kNoSigningShort},
      {"PLUGIN_COSIGN_PASSWORD", refused, kNoSigningShort},
      {"PLUGIN_COSIGN_PARAMS", refused, kNoSigningShort},
      {"PLUGIN_PUSH_ONLY"},
      {"PLUGIN_SOURCE_IMAGE"},
  };
  out.insert(out.end(), rest.begin(), rest.end());
  return out;
}

const SettingSpec* spec_named(const std::string& name) {
  for (const auto& spec : setting_specs()) {
    if (spec.name == name) return &spec;
    if (std::find(spec.aliases.begin(), spec.aliases.end(), name) != spec.aliases.end()) return &spec;
  }
  return nullptr;
}

}  // namespace

std::string to_string(Parity parity) {
  switch (parity) {
    case Parity::same: return "same";
    case Parity::differs: return "differs";
    case Parity::refused: return "refused";
    case Parity::warned: return "warned";
  }
  return "same";
}

const std::vector<AnchorParity>& anchor_parity() {
  static const std::vector<AnchorParity> table = {
      {"drone-kaniko", "drone-kaniko (plugins/kaniko)", drone_kaniko()},
      {"plugin-kaniko", "Woodpecker plugin-kaniko", plugin_kaniko()},
      {"drone-docker", "plugins/docker (drone-docker)", drone_docker()},
  };
  return table;
}

std::string setting_reading(const std::string& variable) {
  for (const char* prefix : {"PLUGIN_"})
    if (variable.starts_with(prefix))
      if (const SettingSpec* spec = spec_named(Poco::toLower(variable.substr(std::string_view(prefix).size()))))
        return spec->name;
  for (const auto& spec : setting_specs())
    if (std::find(spec.env.begin(), spec.env.end(), variable) != spec.env.end()) return spec.name;
  return "";
}

const std::vector<CiVariable>& ci_variables_read() {
  static const std::vector<CiVariable> vars = {
      {"DRONE_COMMIT_REF", "the git ref (auto_tag)"},
      {"DRONE_REPO_BRANCH", "the default branch (auto_tag)"},
      {"DRONE_COMMIT_SHA", "the revision label"},
      {"DRONE_OUTPUT", "the step's output file, appended to after the push"},
  };
  return vars;
}

std::string settings_parity_markdown() {
  std::ostringstream out;
  out << "Generated from kiln-plugin's parity table (`kiln-plugin --settings-parity`); do not edit by hand, run\n"
         "`ci/update-readme.sh`. Each anchor's list of settings is in tests/plugin/anchor-settings/, and a test\n"
         "checks that every one is classified here and that each classification holds.\n\n"
         "- **same**: the anchor's effect, on every backend where it means something (notes say how natively).\n"
         "- **differs**: accepted, with the difference stated.\n"
         "- **refused**: exit 2, naming the setting and why.\n"
         "- **warned**: accepted without effect, with one warning in the log: it means nothing without a Docker "
         "daemon.\n";
  for (const AnchorParity& anchor : anchor_parity()) {
    std::size_t counts[4] = {0, 0, 0, 0};
    for (const auto& e : anchor.entries) ++counts[static_cast<int>(e.parity)];
    out << fmt::format("\n### {}\n\n{} settings: {} same, {} differ, {} refused, {} warned.\n\n", anchor.title,
                       anchor.entries.size(), counts[0], counts[1], counts[2], counts[3]);
    out << "| variable | kiln setting | verdict | how |\n|---|---|---|---|\n";
    for (const ParityEntry& e : anchor.entries) {
      std::string reader = setting_reading(e.variable);
      if (reader.empty())
        for (const auto& ci : ci_variables_read())
          if (ci.variable == e.variable) reader = "CI context: " + ci.use;
      out << fmt::format("| `{}` | {} | {} | {} |\n", e.variable,
                         reader.empty() ? "" : (reader.starts_with("CI") ? reader : "`" + reader + "`"),
                         to_string(e.parity), markdown_cell(e.how));
    }
  }
  return out.str();
}

}  // namespace kiln::plugin
