#include "plugin/backend/kaniko/kaniko_argv.h"

#include <fmt/format.h>

#include <string_view>

#include "core/duration.h"
#include "core/log.h"

namespace kiln::plugin {
namespace {

std::string_view name_of(KanikoVerbosity v) {
  switch (v) {
    case KanikoVerbosity::panic: return "panic";
    case KanikoVerbosity::fatal: return "fatal";
    case KanikoVerbosity::error: return "error";
    case KanikoVerbosity::warn: return "warn";
    case KanikoVerbosity::info: return "info";
    case KanikoVerbosity::debug: return "debug";
    case KanikoVerbosity::trace: return "trace";
  }
  return "info";
}

std::string_view name_of(KanikoLogFormat f) {
  switch (f) {
    case KanikoLogFormat::text: return "text";
    case KanikoLogFormat::color: return "color";
    case KanikoLogFormat::json: return "json";
  }
  return "color";
}

std::string_view name_of(SnapshotMode m) {
  switch (m) {
    case SnapshotMode::full: return "full";
    case SnapshotMode::redo: return "redo";
    case SnapshotMode::time: return "time";
  }
  return "full";
}

std::string_view name_of(KanikoCompression c) {
  switch (c) {
    case KanikoCompression::gzip: return "gzip";
    case KanikoCompression::zstd: return "zstd";
  }
  return "gzip";
}

// A Go time.ParseDuration string in the largest whole unit: 6h, 90m, 45s.

class ArgvBuilder {
 public:
  explicit ArgvBuilder(std::string executor) { argv_.push_back(std::move(executor)); }
  void flag(std::string_view name, bool on) {
    if (on) argv_.push_back(fmt::format("--{}", name));
  }
  void value(std::string_view name, std::string_view v) {
    if (!v.empty()) argv_.push_back(fmt::format("--{}={}", name, v));
  }
  void each(std::string_view name, const std::vector<std::string>& values) {
    for (const auto& v : values) value(name, v);
  }
  void boolean(std::string_view name, std::optional<bool> v) {
    if (v) argv_.push_back(fmt::format("--{}={}", name, *v ? "true" : "false"));
  }
  template <typename Enum>
  void named(std::string_view name, std::optional<Enum> v) {
    if (v) value(name, name_of(*v));
  }
  void number(std::string_view name, std::optional<int> v) {
    if (v) value(name, std::to_string(*v));
  }
  std::vector<std::string> take() { return std::move(argv_); }

 private:
  std::vector<std::string> argv_;
};

}  // namespace

std::vector<std::string> kaniko_argv(const KanikoOptions& o) {
  ArgvBuilder a(o.executor);
  a.value("dockerfile", o.dockerfile);
  a.value("context", o.context);
  a.each("destination", o.destinations);
  for (const auto& arg : o.build_args)
    a.value("build-arg", arg.value ? fmt::format("{}={}", arg.name, *arg.value) : arg.name);
  for (const auto& label : o.labels) a.value("label", fmt::format("{}={}", label.key, label.value));
  a.each("registry-mirror", o.registry_mirrors);
  a.value("target", o.target);

  a.boolean("skip-tls-verify", o.skip_tls_verify ? std::optional(true) : std::nullopt);
  a.named("snapshot-mode", o.snapshot_mode);
  a.boolean("cache", o.cache.enabled ? std::optional(true) : std::nullopt);
  a.value("cache-repo", o.cache.repo);
  if (o.cache.ttl) a.value("cache-ttl", format_go_duration(*o.cache.ttl));
  a.value("cache-dir", o.cache.dir);
  a.value("digest-file", o.digest_file);
  a.flag("no-push", o.no_push);
  a.named("verbosity", o.verbosity);
  a.flag("skip-unused-stages", o.skip_unused_stages);
  a.value("tar-path", o.tar_path);
  a.flag("cache-copy-layers", o.cache.copy_layers);
  a.boolean("cache-run-layers", o.cache.run_layers);
  a.boolean("cleanup", o.cleanup ? std::optional(true) : std::nullopt);
  a.boolean("compressed-caching", o.cache.compressed_caching);
  a.named("compression", o.compression);
  a.number("compression-level", o.compression_level);
  a.value("context-sub-path", o.context_sub_path);
  a.value("custom-platform", o.custom_platform);
  a.flag("force", o.force);
  a.value("image-name-with-digest-file", o.image_name_with_digest_file);
  a.value("image-name-tag-with-digest-file", o.image_name_tag_with_digest_file);
  a.flag("insecure", o.insecure);
  a.flag("insecure-pull", o.insecure_pull);
  a.each("insecure-registry", o.insecure_registries);
  a.named("log-format", o.log_format);
  a.flag("log-timestamp", o.log_timestamp);
  a.value("oci-layout-path", o.oci_layout_path);
  a.number("push-retry", o.push_retry);
  for (const auto& c : o.registry_certificates)
    a.value("registry-certificate", fmt::format("{}={}", c.registry, c.path));
  for (const auto& c : o.registry_client_certs)
    a.value("registry-client-cert", fmt::format("{}={},{}", c.registry, c.cert_path, c.key_path));
  for (const auto& m : o.registry_maps) a.value("registry-map", fmt::format("{}={}", m.from, m.to));
  a.flag("reproducible", o.reproducible);
  a.flag("single-snapshot", o.single_snapshot);
  a.flag("skip-tls-verify-pull", o.skip_tls_verify_pull);
  a.each("skip-tls-verify-registry", o.skip_tls_verify_registries);
  a.flag("use-new-run", o.use_new_run);
  a.each("ignore-path", o.ignore_paths);
  a.boolean("ignore-var-run", o.ignore_var_run);
  a.number("image-download-retry", o.image_download_retry);
  a.number("image-fs-extract-retry", o.image_fs_extract_retry);
  a.flag("skip-default-registry-fallback", o.skip_default_registry_fallback);
  a.flag("skip-push-permission-check", o.skip_push_permission_check);
  a.flag("no-push-cache", o.no_push_cache);
  a.each("secret", o.secrets);

  std::vector<std::string> argv = a.take();
  argv.insert(argv.end(), o.extra_args.begin(), o.extra_args.end());
  return argv;
}

namespace {

// "NAME=value" -> "NAME=***"; a bare "NAME" stays as it is.
std::string mask_build_arg(std::string_view arg) {
  const auto eq = arg.find('=');
  return eq == std::string_view::npos ? std::string(arg) : fmt::format("{}=***", arg.substr(0, eq));
}

std::string shell_quoted(const std::string& word) {
  constexpr std::string_view plain =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=,@%+";
  if (!word.empty() && word.find_first_not_of(plain) == std::string::npos) return word;
  std::string quoted = "'";
  for (char c : word) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

}  // namespace

std::string loggable_command(const std::vector<std::string>& argv) {
  constexpr std::string_view joined_flag = "--build-arg=";
  std::string line;
  bool next_is_build_arg = false;
  for (const auto& word : argv) {
    std::string shown;
    if (next_is_build_arg) {
      shown = mask_build_arg(word);
    } else if (word.starts_with(joined_flag)) {
      shown = std::string(joined_flag) + mask_build_arg(std::string_view(word).substr(joined_flag.size()));
    } else {
      shown = word;
    }
    next_is_build_arg = word == "--build-arg";
    if (!line.empty()) line += ' ';
    line += shell_quoted(log::redact(shown));
  }
  return line;
}

}  // namespace kiln::plugin
