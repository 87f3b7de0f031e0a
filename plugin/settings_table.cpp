#include "plugin/settings_table.h"

namespace kiln::plugin {

const std::vector<SettingSpec>& setting_specs() {
  static const std::vector<SettingSpec> specs = [] {
    std::vector<SettingSpec> all;
    for (auto part : {build_setting_specs, registry_setting_specs, tag_setting_specs, kaniko_setting_specs,
                      output_setting_specs, ignored_setting_specs, refused_setting_specs}) {
      auto specs_of_part = part();
      all.insert(all.end(), specs_of_part.begin(), specs_of_part.end());
    }
    return with_setting_types(std::move(all), {
        // How kiln-plugin reads them (tests/server/setting_types_test.cpp checks it against the
        // code). skip_tls_verify_registry is text: true or a list of registries.
        {"auto_label", SettingType::boolean}, {"auto_tag", SettingType::boolean},
        {"auto_tag_fail_on_other_branch", SettingType::boolean}, {"cache", SettingType::boolean},
        {"cache_copy_layers", SettingType::boolean}, {"cache_run_layers", SettingType::boolean},
        {"cleanup", SettingType::boolean}, {"compressed_caching", SettingType::boolean}, {"dry_run", SettingType::boolean},
        {"expand_tag", SettingType::boolean}, {"force", SettingType::boolean}, {"ignore_var_run", SettingType::boolean},
        {"insecure", SettingType::boolean}, {"insecure_pull", SettingType::boolean}, {"log_timestamp", SettingType::boolean},
        {"multiple_build_args", SettingType::boolean}, {"no_push_cache", SettingType::boolean},
        {"push_only", SettingType::boolean}, {"reproducible", SettingType::boolean}, {"single_snapshot", SettingType::boolean},
        {"skip_default_registry_fallback", SettingType::boolean}, {"skip_push_permission_check", SettingType::boolean},
        {"skip_tls_verify", SettingType::boolean}, {"skip_tls_verify_pull", SettingType::boolean},
        {"skip_unused_stages", SettingType::boolean}, {"use_new_run", SettingType::boolean},
        {"binary", SettingType::list}, {"build_args", SettingType::list, ",\n"}, {"build_args_new", SettingType::list, ";\n"},
        {"build_args_from_env", SettingType::list, ",\n"}, {"custom_labels", SettingType::list},
        {"destinations", SettingType::list}, {"ignore_path", SettingType::list}, {"insecure_registry", SettingType::list},
        {"label_schema", SettingType::list}, {"platform", SettingType::list, ",\n; "},
        {"registry_certificate", SettingType::list}, {"registry_client_cert", SettingType::list},
        {"registry_mirrors", SettingType::list}, {"secrets_from_env", SettingType::list},
        {"secrets_from_file", SettingType::list}, {"tags", SettingType::list, ",\n"},
    });
  }();
  return specs;
}

std::vector<SettingSpec> build_setting_specs() {
  return {
      {"backend", {}, "auto", "How to build: native (binary on a base image, no executor), kaniko (run the executor on a Dockerfile) or auto"},
      {"executor", {}, "/kaniko/executor", "Path of the kaniko executor (kaniko backend)"},
      {"dockerfile", {}, "Dockerfile", "Dockerfile path, relative to the working directory"},
      {"context", {}, ".", "Build context directory"},
      {"context_sub_path", {}, "", "Sub-directory of the context to build from (kaniko --context-sub-path)"},
      {"target", {}, "", "Dockerfile stage to build (--target)"},
      {"build_args", {}, "", "Build args NAME=value, comma or newline separated; a JSON array keeps commas inside values"},
      {"build_args_new", {}, "", "Build args separated by ';' or newlines, so values may hold commas (drone-kaniko)"},
      {"multiple_build_args", {}, "false", "Use build_args_new instead of build_args (drone-kaniko); kiln reads build_args_new whenever it is set"},
      {"build_args_from_env", {}, "", "Names of environment variables passed as build args; the value never appears on a command line"},
      {"platform", {"custom_platform", "platforms"}, "", "Platform to build for, e.g. linux/arm64 (kaniko --custom-platform); a list (linux/amd64,linux/arm64) only with one binary per platform"},
      {"custom_labels", {"labels", "label"}, "", "Labels key=value added to the image"},
      {"label_schema", {}, "", "More auto labels name=value, added as org.opencontainers.image.<name> when auto_label is on (plugins/docker)"},
      {"link", {"repo_link"}, "", "Repository web link: the org.opencontainers.image.url label (plugins/docker; default: the CI's repository URL)", false, "", {"DRONE_REPO_LINK"}},
      {"remote_url", {}, "", "Git remote: the org.opencontainers.image.source label (plugins/docker; default: the CI's repository URL)", false, "", {"DRONE_REMOTE_URL"}},
      {"auto_label", {"default_labels", "auto_labels"}, "true", "Add org.opencontainers.image.{created,revision,source,url} labels"},
      {"base_image", {}, "", "Base image of the binary-on-base build, e.g. debian:bookworm-slim"},
      {"binary", {}, "", "Application binary put at /usr/local/app/main; per platform: linux/amd64=out/amd64/main,linux/arm64=out/arm64/main"},
      {"compression", {}, "gzip", "Layer compression: gzip, zstd (OCI manifests) or none"},
      {"compression_level", {}, "1", "Compression level (gzip 1-9, zstd 1-19); 1 is 3x faster than 6 for ~10% more bytes"},
      {"layer_cache_dir", {}, "", "Where kiln remembers layers it built, so an unchanged rebuild costs a hash and a HEAD (default $XDG_CACHE_HOME/kiln/layers or ~/.cache/kiln/layers; 'none' turns it off)"},
      {"secrets", {"secret"}, "", "Build secrets id=ID,src=file|env=VAR for RUN --mount=type=secret (the executor's --secret; a RUN-less Dockerfile reads none)"},
      {"secrets_from_env", {}, "", "Build secrets ID=VARIABLE, each read from that environment variable (plugins/docker; --secret id=ID,env=VARIABLE)"},
      {"secrets_from_file", {}, "", "Build secrets ID=path, each read from that file (plugins/docker; --secret id=ID,src=path)"},
      {"env_file", {}, "", "dotenv file (NAME=value lines) loaded before any setting is read, so it may set PLUGIN_* too; variables already set win (drone-kaniko)"},
      {"extra_opts", {}, "", "Extra executor arguments, split on whitespace and between list items (--reproducible --cleanup), as the Woodpecker plugin does; no quoting"},
  };
}

}  // namespace kiln::plugin
