#include "plugin/settings_table.h"

namespace kiln::plugin {

std::vector<SettingSpec> registry_setting_specs() {
  return {
      {"repo", {}, "", "Target repository, e.g. registry.example.com/team/app (registry is prefixed when set separately; on GitLab the default is $CI_REGISTRY_IMAGE)"},
      {"registry", {}, "", "Registry host[:port] of the target when repo does not name one; also the key of the username/password login", false, "", {"DOCKER_REGISTRY"}},
      {"expand_repo", {}, "false", "Prefix the registry onto repo and cache_repo (drone-kaniko; kiln prefixes whenever they lack it)"},
      {"destinations", {}, "", "Full references to push (woodpecker); overrides repo and tags"},
      {"username", {}, "", "Registry user name", false, "", {"DOCKER_USERNAME"}},
      {"password", {}, "", "Registry password or token", true, "", {"DOCKER_PASSWORD"}},
      {"email", {}, "", "Registry e-mail (plugins/docker)", false, "registries no longer use an e-mail address", {"DOCKER_EMAIL"}},
      {"access_token", {}, "", "OAuth2 access token, logged in as oauth2accesstoken (plugins/docker)", true, "", {"ACCESS_TOKEN"}},
      {"base_image_registry", {"docker_registry"}, "", "Registry of the base images, for a second login (pull credentials)", false, "", {"DOCKER_BASE_IMAGE_REGISTRY"}},
      {"base_image_username", {"docker_username"}, "", "User name for base_image_registry", false, "", {"DOCKER_BASE_IMAGE_USERNAME"}},
      {"base_image_password", {"docker_password"}, "", "Password for base_image_registry", true, "", {"DOCKER_BASE_IMAGE_PASSWORD"}},
      {"logins", {}, "", "JSON list of logins [{\"registry\":..,\"username\":..,\"password\":..}] (docker-buildx shape)", true},
      {"config", {"docker_config_json"}, "", "A docker config.json document, merged into the credentials kiln writes", true, "", {"DOCKER_PLUGIN_CONFIG"}},
      {"json_key", {}, "", "Google service account key (GCR/GAR): the login _json_key of the push registry, and for the executor a 0600 file named by GOOGLE_APPLICATION_CREDENTIALS", true},
      {"registry_type", {}, "", "registryType of the artifact_file: Docker, ECR, GCR, GAR or ACR (plugins/docker; default: guessed from the registry)"},
      {"insecure", {}, "false", "Use plain HTTP instead of HTTPS for the registries (local or test registries only)"},
      {"insecure_pull", {}, "false", "Pull base images over plain HTTP (kaniko --insecure-pull; natively: every registry not pushed to)"},
      {"insecure_registry", {}, "", "Registries reached over plain HTTP (kaniko --insecure-registry), both backends"},
      {"skip_tls_verify", {}, "false", "Do not verify any registry's TLS certificate (kaniko --skip-tls-verify), both backends"},
      {"skip_tls_verify_pull", {}, "false", "Do not verify TLS when pulling base images (natively: every registry not pushed to)"},
      {"skip_tls_verify_registry", {}, "", "Registries whose TLS certificate is not verified; true (drone-kaniko's boolean) means the registries pushed to"},
      {"registry_certificate", {"ca_cert"}, "", "PEM CA bundle to trust for registry TLS: host=path entries (kaniko format), or a bare path for every registry (for the executor: each registry kiln knows the build uses)"},
      {"registry_client_cert", {}, "", "Client certificate host=cert,key for mutual TLS"},
      {"registry_mirrors", {"mirror", "mirrors", "registry_mirror"}, "", "Registry mirrors for Docker Hub pulls (kaniko --registry-mirror; the native backend has none, so auto picks kaniko)", false, "", {"DOCKER_PLUGIN_MIRROR"}},
      {"skip_default_registry_fallback", {}, "false", "Fail instead of falling back to Docker Hub when every mirror fails (kaniko)"},
      {"registry_timeout", {}, "2m", "Deadline of each registry request, a Go duration (30s, 5m): the whole answer must arrive within it, a layer download or upload may take one second more per 16 KiB moved; expiry fails the build (exit 3), not retried (native backend)"},
      {"skip_push_permission_check", {}, "false", "Skip the executor's push permission check before the build (the native backend makes none)"},
  };
}

}  // namespace kiln::plugin
