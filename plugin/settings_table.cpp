#include "plugin/settings.h"

namespace kiln::plugin {

const std::vector<SettingSpec>& setting_specs() {
  static const std::vector<SettingSpec> specs = {
      {"repo", {}, "", "Target repository, e.g. registry.example.com/team/app (registry is prefixed when set separately)"},
      {"tags", {"tag"}, "latest", "Tags to push (comma, newline or ';' separated, or a JSON array)"},
      {"registry", {}, "", "Registry host[:port] of the target when repo does not name one"},
      {"username", {}, "", "Registry user name"},
      {"password", {}, "", "Registry password or token", true},
      {"base_image", {}, "", "Base image of the binary-on-base build, e.g. debian:bookworm-slim"},
      {"binary", {}, "", "Application binary put at /usr/local/app/main; per platform: linux/amd64=out/amd64/main,linux/arm64=out/arm64/main"},
      {"insecure", {}, "false", "Use plain HTTP instead of HTTPS for the registries (local or test registries only)"},
      {"registry_certificate", {"ca_cert"}, "", "PEM CA bundle to trust for registry TLS: a path, or host=path entries (kaniko format)"},
      {"digest_file", {}, "", "File to write the pushed image digest to"},
      {"compression", {}, "gzip", "Layer compression: gzip, zstd (OCI manifests) or none"},
      {"compression_level", {}, "1", "Compression level (gzip 1-9, zstd 1-19); 1 is 3x faster than 6 for ~10% more bytes"},
      {"layer_cache_dir", {}, "", "Where kiln remembers layers it built, so an unchanged rebuild costs a hash and a HEAD (default $XDG_CACHE_HOME/kiln/layers or ~/.cache/kiln/layers; 'none' turns it off)"},
      {"log_level", {"verbosity"}, "info", "debug, info, warn or error"},
  };
  return specs;
}

}  // namespace kiln::plugin
