#include "server/policy/setting_policy.h"

#include <algorithm>

namespace kiln::server {
namespace {

constexpr std::string_view kRunsProgram = "names a program, which kiln-server would run as its own user";
constexpr std::string_view kWritesFile = "names a file on the server for kiln-plugin to write, as kiln-server's user";
constexpr std::string_view kServerEnvironment =
    "reads kiln-server's own environment variables, which are the server's and not the client's";

SettingPolicy plain(std::string_view name) { return {.name = name, .use = SettingUse::plain}; }
SettingPolicy no_effect(std::string_view name) { return {.name = name, .use = SettingUse::no_effect}; }
// The local driver unpacks and runs the image on the server's machine within these bounds.
constexpr std::string_view kProtectsServer =
    "sets a bound that protects kiln-server's machine while kiln-verify unpacks and runs the image there; the "
    "server keeps kiln-verify's defaults";

SettingPolicy refused(std::string_view name, std::string_view reason) {
  return {.name = name, .use = SettingUse::refused, .reason = reason};
}
SettingPolicy path(std::string_view name, PathForm form = PathForm::single, std::string_view implicit = {}) {
  return {.name = name, .use = SettingUse::context_path, .form = form, .implicit_path = implicit};
}

std::vector<SettingPolicy> plugin_policies() {
  std::vector<SettingPolicy> out = {
      // What to build.
      plain("backend"),
      refused("executor", kRunsProgram),
      path("dockerfile"),
      path("context"),
      path("context_sub_path", PathForm::below_context),
      plain("target"),
      plain("build_args"),
      plain("build_args_new"),
      plain("multiple_build_args"),
      refused("build_args_from_env", kServerEnvironment),
      plain("platform"),
      plain("custom_labels"),
      plain("label_schema"),
      plain("link"),
      plain("remote_url"),
      plain("auto_label"),
      plain("base_image"),
      path("binary", PathForm::keyed_list),
      plain("compression"),
      plain("compression_level"),
      {.name = "layer_cache_dir",
       .use = SettingUse::refused,
       .reason = "names a directory on the server for kiln-plugin to write (builds of kiln-server use its default "
                 "cache); only none, off or false (no cache) is accepted",
       .harmless_values = {"none", "off", "false"}},
      path("secrets", PathForm::secret_sources),
      refused("secrets_from_env", kServerEnvironment),
      path("secrets_from_file", PathForm::keyed_list),
      refused("env_file",
              "loads variables that would set kiln-plugin's settings past these checks; give the settings in the request"),
      refused("extra_opts", "passes flags to the executor unchecked, and its flags name programs and files on the server"),
      // Registries and credentials.
      plain("repo"),
      plain("registry"),
      plain("expand_repo"),
      plain("destinations"),
      plain("username"),
      plain("password"),
      no_effect("email"),
      plain("access_token"),
      plain("base_image_registry"),
      plain("base_image_username"),
      plain("base_image_password"),
      plain("logins"),
      {.name = "config", .use = SettingUse::docker_config},
      plain("json_key"),
      plain("registry_type"),
      plain("insecure"),
      plain("insecure_pull"),
      plain("insecure_registry"),
      plain("skip_tls_verify"),
      plain("skip_tls_verify_pull"),
      plain("skip_tls_verify_registry"),
      path("registry_certificate", PathForm::keyed_list),
      path("registry_client_cert", PathForm::client_certs),
      plain("registry_mirrors"),
      plain("skip_default_registry_fallback"),
      plain("skip_push_permission_check"),
      plain("registry_timeout"),  // a longer wait holds only the client's own build, within its deadline
      // Tags.
      plain("tags"),
      path("tags_file", PathForm::single, ".tags"),
      plain("auto_tag"),
      plain("auto_tag_suffix"),
      plain("auto_tag_fail_on_other_branch"),
      plain("expand_tag"),
      // The executor's own settings.
      plain("dry_run"),
      plain("push_only"),
      path("source_tar_path"),
      plain("source_image"),
      refused("tar_path", kWritesFile),
      refused("oci_layout_path", kWritesFile),
      plain("cache"),
      plain("cache_repo"),
      plain("cache_ttl"),
      path("cache_dir"),
      plain("cache_copy_layers"),
      plain("cache_run_layers"),
      plain("compressed_caching"),
      plain("no_push_cache"),
      plain("snapshot_mode"),
      plain("single_snapshot"),
      plain("use_new_run"),
      plain("reproducible"),
      plain("cleanup"),
      refused("force", "lets the Kaniko executor run outside a container, where it unpacks base images over the "
                       "server's own filesystem"),
      plain("skip_unused_stages"),
      plain("ignore_var_run"),
      plain("ignore_path"),  // paths in the image being built, not on the server
      plain("push_retry"),
      plain("image_download_retry"),
      plain("image_fs_extract_retry"),
      // Outputs.
      {.name = "digest_file", .use = SettingUse::server_owned},
      refused("image_name_with_digest_file", kWritesFile),
      refused("image_name_tag_with_digest_file", kWritesFile),
      refused("artifact_file", kWritesFile),
      refused("dotenv_file", kWritesFile),
      refused("card_path", kWritesFile),
      plain("log_level"),
      plain("log_format"),
      plain("log_timestamp"),
  };
  // Docker daemon settings of plugins/docker: kiln-plugin accepts them without effect.
  for (std::string_view name : {"storage_driver", "storage_path", "bip", "mtu", "custom_dns", "custom_dns_search", "ipv6",
                                "experimental", "daemon_off", "daemon_retry_count", "purge", "buildkit_config",
                                "buildkit_driveropt", "add_host", "compress", "ssh_agent_key", "debug",
                                "buildkit_debug", "quiet", "pull_image", "cache_from", "no_cache"})
    out.push_back(no_effect(name));
  for (std::string_view name : {"cosign_private_key", "cosign_password", "cosign_params"})
    out.push_back(refused(name, "kiln does not sign images"));
  return out;
}

std::vector<SettingPolicy> verify_policies() {
  return {
      plain("image"),
      path("digest_file"),
      path("image_file"),
      path("dotenv_file"),
      path("oci_layout"),
      path("image_from_oci_layout"),
      plain("default_image_tag"),
      plain("ignore_ref_annotation"),
      plain("platform"),
      plain("pull"),
      path("config", PathForm::list),
      refused("host_run_options", "kiln-server sets it false, so a client's spec cannot read the server's "
                                  "environment or files through containerRunOptions"),
      plain("app_suite"),
      plain("app_path"),  // a path in the image under test
      path("binary"),
      plain("version_args"),
      plain("driver"),
      {.name = "junit", .use = SettingUse::server_owned},
      refused("json", "names a file on the server for kiln-verify to write, as kiln-server's user"),
      refused("test_report", "names a file on the server for kiln-verify to write, as kiln-server's user"),
      plain("output"),
      plain("junit_suite_name"),
      plain("quiet"),
      plain("no_color"),
      plain("log_level"),
      plain("registry"),
      plain("username"),
      plain("password"),
      {.name = "docker_config_json", .use = SettingUse::docker_config},
      plain("insecure"),
      path("registry_certificate"),
      plain("registry_timeout"),
      refused("unpack_max_bytes", kProtectsServer),
      refused("unpack_max_entries", kProtectsServer),
      refused("memory_limit", kProtectsServer),
      refused("pids_limit", kProtectsServer),
      refused("probe", kRunsProgram),
      refused("runtime", kRunsProgram),
      refused("kubeconfig", "a kubeconfig names files on the server (tokenFile, client-key) whose contents go to the "
                            "cluster it names"),
      plain("kube_context"),
      plain("namespace"),
      plain("verify_image"),
      plain("image_pull_secrets"),
      plain("pod_timeout"),
      plain("print_pod"),
  };
}

}  // namespace

const std::vector<SettingPolicy>& setting_policies(Program program) {
  static const std::vector<SettingPolicy> plugin = plugin_policies();
  static const std::vector<SettingPolicy> verify = verify_policies();
  return program == Program::plugin ? plugin : verify;
}

const SettingPolicy* find_setting_policy(Program program, std::string_view name) {
  const auto& all = setting_policies(program);
  const auto it = std::find_if(all.begin(), all.end(), [&](const SettingPolicy& p) { return p.name == name; });
  return it == all.end() ? nullptr : &*it;
}

}  // namespace kiln::server
