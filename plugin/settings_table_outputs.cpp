#include "plugin/settings_table.h"

namespace kiln::plugin {

// Settings kiln knows but refuses (make_plan exits 2 naming them): accepting them without their
// effect would let a pipeline believe it does something it does not.
std::vector<SettingSpec> refused_setting_specs() {
  std::vector<SettingSpec> out;
  // The key is still registered as a secret, so the refusal never shows it.
  for (const char* name : {"cosign_private_key", "cosign_password", "cosign_params"})
    out.push_back({name, {}, "", "cosign signing of plugins/docker: refused, kiln does not sign images", std::string(name) != "cosign_params"});
  return out;
}

std::vector<SettingSpec> output_setting_specs() {
  return {
      {"digest_file", {}, "", "File to write the pushed image digest to"},
      {"image_name_with_digest_file", {}, "", "File listing repo@digest of each destination"},
      {"image_name_tag_with_digest_file", {}, "", "File listing repo:tag@digest of each destination"},
      {"artifact_file", {}, "", "Drone docker/v1 artifact JSON written after the push"},
      {"dotenv_file", {}, "", "dotenv file (IMAGE_DIGEST, IMAGE_REF, IMAGE_TAGS) for GitLab reports: dotenv"},
      // Drone's runner sets DRONE_CARD_PATH on every step (/dev/stdout: the card travels in the log).
      {"card_path", {}, "", "Drone card of the pushed image, as plugins/docker writes it (/dev/stdout: in the log)",
       false, "", {"DRONE_CARD_PATH"}},
      {"log_level", {"verbosity"}, "info", "debug, info, warn or error"},
      {"log_format", {}, "", "Executor log format: text, color or json"},
      {"log_timestamp", {}, "false", "Timestamps in executor logs"},
  };
}

// plugins/docker and docker-buildx configure the Docker daemon they start. kiln starts none,
// so these are accepted (pipelines keep working) and reported once as having no effect.
std::vector<SettingSpec> ignored_setting_specs() {
  std::vector<SettingSpec> out;
  for (const char* name : {"storage_driver", "storage_path", "bip", "mtu", "custom_dns", "custom_dns_search", "ipv6",
                           "experimental", "daemon_off", "daemon_retry_count", "purge", "buildkit_config",
                           "buildkit_driveropt", "add_host", "compress", "ssh_agent_key"})
    out.push_back({name, {}, "", "Docker daemon setting of plugins/docker", false, kNoDaemon});
  struct Other { const char* name; const char* reason; };
  out.push_back({"debug", {}, "", "plugins/docker setting", false, "kiln runs no Docker daemon; use log_level: debug",
                 {"DOCKER_LAUNCH_DEBUG"}});
  for (const Other& o : {
                         Other{"buildkit_debug", "kiln runs no BuildKit; use log_level: debug"},
                         Other{"quiet", "use log_level: warn"},
                         Other{"pull_image", "base images are always resolved from the registry"},
                         Other{"cache_from", "kiln caches layers with cache and cache_repo, or layer_cache_dir"},
                         Other{"no_cache", "the executor cache is used only with cache: true"}})
    out.push_back({o.name, {}, "", "plugins/docker setting", false, o.reason});
  return out;
}

}  // namespace kiln::plugin
