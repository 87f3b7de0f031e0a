#include "plugin/plan_backend.h"

#include <fmt/format.h>

namespace kiln::plugin {

std::optional<std::string> executor_only_setting(const Settings& settings) {
  struct Rule {
    const char* name;
    const char* why;
  };
  static constexpr Rule kRules[] = {
      {"registry_mirrors", "the native backend does not pull through registry mirrors"},
      {"skip_default_registry_fallback", "mirror fallback is the executor's"},
      {"single_snapshot", "the executor squashes the image into one layer; the native backend makes one per instruction"},
      {"ignore_path", "the executor leaves these paths out of the image"},
      {"extra_opts", "extra executor arguments"},
  };
  for (const Rule& rule : kRules)
    if (settings.has(rule.name) && (rule.name == std::string_view("registry_mirrors") ||
                                    rule.name == std::string_view("ignore_path") ||
                                    rule.name == std::string_view("extra_opts") || settings.get_bool(rule.name)))
      return fmt::format("setting {}: {}", rule.name, rule.why);
  if (settings.has("ignore_var_run") && !settings.get_bool("ignore_var_run"))
    return std::string("setting ignore_var_run: false keeps /var/run in the executor's snapshots");
  return std::nullopt;
}

std::vector<std::string> settings_unused_natively(const Settings& settings) {
  static constexpr const char* kExecutorTuning[] = {
      "cache",        "cache_repo",           "cache_ttl",          "cache_dir",     "cache_copy_layers",
      "cache_run_layers", "compressed_caching", "no_push_cache",    "snapshot_mode", "use_new_run",
      "cleanup",      "force",                "push_retry",         "image_download_retry",
      "image_fs_extract_retry", "log_format", "log_timestamp",      "skip_unused_stages",
  };
  std::vector<std::string> out;
  for (const char* name : kExecutorTuning)
    if (settings.has(name) && settings.get(name) != "false") out.push_back(name);
  return out;
}

}  // namespace kiln::plugin
