#pragma once
// Everything kiln tells the Kaniko executor, as typed values. Built from the settings by the
// plugin; turned into argv by kaniko_argv(). An empty string, empty list, false or nullopt
// means "flag not passed", so the executor's own default applies
// (the executor's --help lists its flags and their defaults).
#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace kiln::plugin {

/// `--build-arg=NAME=value`, or bare `--build-arg=NAME` when `value` is nullopt: the executor
/// then reads NAME from its own environment, so the value never appears on argv
/// (this is how build_args_from_env is passed).
struct KanikoBuildArg {
  std::string name;
  std::optional<std::string> value;
  friend bool operator==(const KanikoBuildArg&, const KanikoBuildArg&) = default;
};

struct KanikoLabel {
  std::string key, value;
  friend bool operator==(const KanikoLabel&, const KanikoLabel&) = default;
};

/// `--registry-map=from=to`: pull images of registry `from` from `to` instead.
struct RegistryMap {
  std::string from, to;
  friend bool operator==(const RegistryMap&, const RegistryMap&) = default;
};

/// `--registry-certificate=registry=path`: a CA certificate to trust for one registry.
struct RegistryCertificate {
  std::string registry, path;
  friend bool operator==(const RegistryCertificate&, const RegistryCertificate&) = default;
};

/// `--registry-client-cert=registry=cert,key`: mutual TLS for one registry.
struct RegistryClientCert {
  std::string registry, cert_path, key_path;
  friend bool operator==(const RegistryClientCert&, const RegistryClientCert&) = default;
};

enum class KanikoVerbosity { panic, fatal, error, warn, info, debug, trace };
enum class KanikoLogFormat { text, color, json };
enum class SnapshotMode { full, redo, time };
enum class KanikoCompression { gzip, zstd };

struct KanikoCache {
  bool enabled = false;                  ///< --cache=true
  std::string repo;                      ///< --cache-repo= (an "oci:" prefix is a local layout)
  std::optional<std::chrono::seconds> ttl;  ///< --cache-ttl= as a Go duration ("6h", "90m")
  std::string dir;                       ///< --cache-dir= (base images filled by the warmer)
  bool copy_layers = false;              ///< --cache-copy-layers
  std::optional<bool> run_layers;        ///< --cache-run-layers=true|false (executor default true)
  std::optional<bool> compressed_caching;  ///< --compressed-caching=true|false; false saves memory
  friend bool operator==(const KanikoCache&, const KanikoCache&) = default;
};

struct KanikoOptions {
  std::string executor = "/kaniko/executor";
  /// Directory holding the config.json kiln wrote; the executor gets DOCKER_CONFIG=<this>.
  /// Empty: DOCKER_CONFIG is inherited (the executor image sets /kaniko/.docker/).
  std::string docker_config_dir;
  /// Variables of our environment the executor does not get: the ones carrying secrets it has
  /// no use for (the credentials are in docker_config_dir's config.json).
  std::vector<std::string> withheld_env;
  /// A Google service account key file (json_key), given to the executor as
  /// GOOGLE_APPLICATION_CREDENTIALS. Empty: the variable is left as it is.
  std::string google_credentials_file;

  std::string dockerfile;        ///< --dockerfile=
  std::string context;           ///< --context=, verbatim (dir://, tar://, git://, or a path)
  std::string context_sub_path;  ///< --context-sub-path=
  std::vector<std::string> destinations;  ///< --destination= each, full references
  std::vector<KanikoBuildArg> build_args;
  std::vector<KanikoLabel> labels;  ///< --label=key=value each
  std::vector<std::string> registry_mirrors;
  std::string target;            ///< --target= (stage name)

  bool skip_tls_verify = false;                  ///< --skip-tls-verify=true
  bool skip_tls_verify_pull = false;             ///< --skip-tls-verify-pull
  std::vector<std::string> skip_tls_verify_registries;  ///< --skip-tls-verify-registry= each
  bool insecure = false;                         ///< --insecure
  bool insecure_pull = false;                    ///< --insecure-pull
  std::vector<std::string> insecure_registries;  ///< --insecure-registry= each
  std::vector<RegistryMap> registry_maps;
  std::vector<RegistryCertificate> registry_certificates;
  std::vector<RegistryClientCert> registry_client_certs;
  bool skip_default_registry_fallback = false;   ///< --skip-default-registry-fallback
  bool skip_push_permission_check = false;       ///< --skip-push-permission-check
  /// --secret= each (the fork's RUN --mount=type=secret sources): id=ID,src=FILE or id=ID,env=VAR.
  std::vector<std::string> secrets;

  std::optional<SnapshotMode> snapshot_mode;
  KanikoCache cache;
  std::optional<KanikoCompression> compression;
  std::optional<int> compression_level;

  /// --digest-file=. Empty: KanikoBackend picks a path of its own, since it always needs one.
  std::string digest_file;
  std::string image_name_with_digest_file;      ///< --image-name-with-digest-file=
  std::string image_name_tag_with_digest_file;  ///< --image-name-tag-with-digest-file=
  bool no_push = false;                         ///< --no-push
  std::string tar_path;                         ///< --tar-path=
  std::string oci_layout_path;                  ///< --oci-layout-path=
  std::optional<int> push_retry;                ///< --push-retry=N
  bool no_push_cache = false;                   ///< --no-push-cache
  std::optional<int> image_download_retry;      ///< --image-download-retry=N
  std::optional<int> image_fs_extract_retry;    ///< --image-fs-extract-retry=N

  std::optional<KanikoVerbosity> verbosity;  ///< --verbosity=
  std::optional<KanikoLogFormat> log_format; ///< --log-format=
  bool log_timestamp = false;                ///< --log-timestamp

  std::string custom_platform;      ///< --custom-platform= (e.g. linux/arm64/v8)
  bool skip_unused_stages = false;  ///< --skip-unused-stages
  bool cleanup = false;             ///< --cleanup=true
  bool force = false;               ///< --force (build outside a container)
  bool reproducible = false;        ///< --reproducible
  bool single_snapshot = false;     ///< --single-snapshot
  bool use_new_run = false;         ///< --use-new-run
  std::vector<std::string> ignore_paths;  ///< --ignore-path= each
  std::optional<bool> ignore_var_run;     ///< --ignore-var-run=true|false (executor default true)

  /// Appended verbatim after every other flag (extra_opts): one element per argv word.
  std::vector<std::string> extra_args;

  friend bool operator==(const KanikoOptions&, const KanikoOptions&) = default;
};

}  // namespace kiln::plugin
