#include "plugin/backend/kaniko/kaniko_argv.h"

#include <gtest/gtest.h>

#include "core/log.h"

namespace kiln::plugin {
namespace {

using Argv = std::vector<std::string>;

KanikoOptions minimal() {
  KanikoOptions o;
  o.dockerfile = "Dockerfile";
  o.context = "dir:///workspace";
  o.destinations = {"registry.example.com/team/app:1.2"};
  return o;
}

// Nothing set: only the executor, so every executor default applies.
TEST(KanikoArgv, DefaultOptionsPassNoFlags) {
  EXPECT_EQ(kaniko_argv(KanikoOptions{}), Argv{"/kaniko/executor"});
}

// The usual build: dockerfile, context, destinations, in drone-kaniko's order.
TEST(KanikoArgv, MinimalBuild) {
  KanikoOptions o = minimal();
  o.destinations.push_back("registry.example.com/team/app:latest");
  EXPECT_EQ(kaniko_argv(o), (Argv{"/kaniko/executor", "--dockerfile=Dockerfile", "--context=dir:///workspace",
                                  "--destination=registry.example.com/team/app:1.2",
                                  "--destination=registry.example.com/team/app:latest"}));
}

// Every option set: each maps to its exact flag, in the documented order, extra_args last.
TEST(KanikoArgv, EveryOptionMapsToItsFlag) {
  KanikoOptions o = minimal();
  o.executor = "/opt/kaniko/executor";
  o.docker_config_dir = "/kaniko/.docker";  // environment, not argv
  o.context_sub_path = "services/api";
  o.build_args = {{.name = "VERSION", .value = "1.2"}, {.name = "HTTP_PROXY", .value = std::nullopt}};
  o.labels = {{.key = "org.opencontainers.image.revision", .value = "abc123"}};
  o.registry_mirrors = {"mirror.gcr.io", "mirror.example.com/hub"};
  o.target = "runtime";
  o.skip_tls_verify = true;
  o.skip_tls_verify_pull = true;
  o.skip_tls_verify_registries = {"self-signed.example.com"};
  o.insecure = true;
  o.insecure_pull = true;
  o.insecure_registries = {"plain.example.com:5000"};
  o.registry_maps = {{.from = "index.docker.io", .to = "mirror.example.com"}};
  o.registry_certificates = {{.registry = "my.registry", .path = "/certs/ca.pem"}};
  o.registry_client_certs = {{.registry = "mtls.registry", .cert_path = "/certs/c.pem", .key_path = "/certs/k.pem"}};
  o.snapshot_mode = SnapshotMode::redo;
  o.cache = {.enabled = true, .repo = "registry.example.com/team/cache", .ttl = std::chrono::hours(6),
             .dir = "/cache", .copy_layers = true, .run_layers = false, .compressed_caching = false};
  o.compression = KanikoCompression::zstd;
  o.compression_level = 3;
  o.digest_file = "/kaniko/digest-file";
  o.image_name_with_digest_file = "/out/name-digest";
  o.image_name_tag_with_digest_file = "/out/name-tag-digest";
  o.no_push = true;
  o.tar_path = "/out/image.tar";
  o.oci_layout_path = "/out/layout";
  o.push_retry = 3;
  o.verbosity = KanikoVerbosity::debug;
  o.log_format = KanikoLogFormat::json;
  o.log_timestamp = true;
  o.custom_platform = "linux/arm64/v8";
  o.skip_unused_stages = true;
  o.cleanup = true;
  o.force = true;
  o.reproducible = true;
  o.single_snapshot = true;
  o.use_new_run = true;
  o.ignore_paths = {"/var/mail", "/opt/big"};
  o.extra_args = {"--image-download-retry=2", "--skip-push-permission-check"};

  EXPECT_EQ(kaniko_argv(o), (Argv{
                                "/opt/kaniko/executor",
                                "--dockerfile=Dockerfile",
                                "--context=dir:///workspace",
                                "--destination=registry.example.com/team/app:1.2",
                                "--build-arg=VERSION=1.2",
                                "--build-arg=HTTP_PROXY",
                                "--label=org.opencontainers.image.revision=abc123",
                                "--registry-mirror=mirror.gcr.io",
                                "--registry-mirror=mirror.example.com/hub",
                                "--target=runtime",
                                "--skip-tls-verify=true",
                                "--snapshot-mode=redo",
                                "--cache=true",
                                "--cache-repo=registry.example.com/team/cache",
                                "--cache-ttl=6h",
                                "--cache-dir=/cache",
                                "--digest-file=/kaniko/digest-file",
                                "--no-push",
                                "--verbosity=debug",
                                "--skip-unused-stages",
                                "--tar-path=/out/image.tar",
                                "--cache-copy-layers",
                                "--cache-run-layers=false",
                                "--cleanup=true",
                                "--compressed-caching=false",
                                "--compression=zstd",
                                "--compression-level=3",
                                "--context-sub-path=services/api",
                                "--custom-platform=linux/arm64/v8",
                                "--force",
                                "--image-name-with-digest-file=/out/name-digest",
                                "--image-name-tag-with-digest-file=/out/name-tag-digest",
                                "--insecure",
                                "--insecure-pull",
                                "--insecure-registry=plain.example.com:5000",
                                "--log-format=json",
                                "--log-timestamp",
                                "--oci-layout-path=/out/layout",
                                "--push-retry=3",
                                "--registry-certificate=my.registry=/certs/ca.pem",
                                "--registry-client-cert=mtls.registry=/certs/c.pem,/certs/k.pem",
                                "--registry-map=index.docker.io=mirror.example.com",
                                "--reproducible",
                                "--single-snapshot",
                                "--skip-tls-verify-pull",
                                "--skip-tls-verify-registry=self-signed.example.com",
                                "--use-new-run",
                                "--ignore-path=/var/mail",
                                "--ignore-path=/opt/big",
                                "--image-download-retry=2",
                                "--skip-push-permission-check",
                            }));
}

// Tri-state settings: unset passes nothing, true and false are both spelled out.
TEST(KanikoArgv, TriStateCacheFlags) {
  KanikoOptions o;
  EXPECT_EQ(kaniko_argv(o).size(), 1u);
  o.cache.compressed_caching = true;
  o.cache.run_layers = true;
  EXPECT_EQ(kaniko_argv(o), (Argv{"/kaniko/executor", "--cache-run-layers=true", "--compressed-caching=true"}));
}

// Every enum value has its executor spelling.
TEST(KanikoArgv, EnumSpellings) {
  const std::pair<KanikoVerbosity, std::string> verbosities[] = {
      {KanikoVerbosity::panic, "panic"}, {KanikoVerbosity::fatal, "fatal"}, {KanikoVerbosity::error, "error"},
      {KanikoVerbosity::warn, "warn"},   {KanikoVerbosity::info, "info"},   {KanikoVerbosity::debug, "debug"},
      {KanikoVerbosity::trace, "trace"}};
  for (const auto& [v, name] : verbosities)
    EXPECT_EQ(kaniko_argv(KanikoOptions{.verbosity = v}).back(), "--verbosity=" + name);
  EXPECT_EQ(kaniko_argv(KanikoOptions{.log_format = KanikoLogFormat::text}).back(), "--log-format=text");
  EXPECT_EQ(kaniko_argv(KanikoOptions{.log_format = KanikoLogFormat::color}).back(), "--log-format=color");
  EXPECT_EQ(kaniko_argv(KanikoOptions{.snapshot_mode = SnapshotMode::full}).back(), "--snapshot-mode=full");
  EXPECT_EQ(kaniko_argv(KanikoOptions{.snapshot_mode = SnapshotMode::time}).back(), "--snapshot-mode=time");
  EXPECT_EQ(kaniko_argv(KanikoOptions{.compression = KanikoCompression::gzip}).back(), "--compression=gzip");
}

// cache_ttl becomes a Go duration in the largest whole unit.
TEST(KanikoArgv, CacheTtlIsAGoDuration) {
  const std::pair<std::chrono::seconds, std::string> rows[] = {
      {std::chrono::hours(336), "336h"}, {std::chrono::minutes(90), "90m"}, {std::chrono::seconds(45), "45s"},
      {std::chrono::seconds(0), "0s"}};
  for (const auto& [ttl, text] : rows) {
    KanikoOptions o;
    o.cache.ttl = ttl;
    EXPECT_EQ(kaniko_argv(o).back(), "--cache-ttl=" + text);
  }
}

// Values with spaces, commas, '=' and quotes stay one argv element each (kaniko #1803,
// drone-kaniko PR #133, woodpecker plugin-kaniko #17).
TEST(KanikoArgv, AwkwardValuesStayOneElement) {
  KanikoOptions o;
  o.build_args = {{.name = "MSG", .value = "hello, world = 'yes' \"q\""}, {.name = "EMPTY", .value = ""}};
  o.labels = {{.key = "description", .value = "a, b=c d"}};
  o.context = "/builds/my group/app";
  EXPECT_EQ(kaniko_argv(o), (Argv{"/kaniko/executor", "--context=/builds/my group/app",
                                  "--build-arg=MSG=hello, world = 'yes' \"q\"", "--build-arg=EMPTY=",
                                  "--label=description=a, b=c d"}));
}

// The printed command keeps build-arg names and hides their values, in both spellings.
TEST(KanikoArgv, LoggableCommandHidesBuildArgValues) {
  const Argv argv = {"/kaniko/executor", "--context=dir:///w", "--build-arg=TOKEN=abc def",
                     "--build-arg=FROM_ENV", "--build-arg", "API_KEY=k=v", "--label=a=b"};
  EXPECT_EQ(loggable_command(argv),
            "/kaniko/executor --context=dir:///w '--build-arg=TOKEN=***' --build-arg=FROM_ENV --build-arg "
            "'API_KEY=***' --label=a=b");
}

// Registered secrets are masked wherever they appear, and odd words are quoted.
TEST(KanikoArgv, LoggableCommandRedactsSecrets) {
  log::add_secret("s3cr3t-registry-password");
  const Argv argv = {"/kaniko/executor", "--registry-mirror=https://u:s3cr3t-registry-password@m.example",
                     "--label=desc=it's here"};
  EXPECT_EQ(loggable_command(argv),
            "/kaniko/executor '--registry-mirror=https://u:****@m.example' '--label=desc=it'\\''s here'");
}

}  // namespace
}  // namespace kiln::plugin
