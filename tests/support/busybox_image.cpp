#include "tests/support/busybox_image.h"

#include <sstream>

#include "core/temp_dir.h"
#include "oci/image/blob_transfer.h"
#include "oci/image/manifest_edit.h"
#include "oci/json.h"
#include "oci/layer/layer_writer.h"
#include "oci/media_type.h"
#include "oci/sha256.h"

namespace kiln::testing {
namespace {

oci::LayerSpec busybox_layer() {
  using Type = oci::LayerEntry::Type;
  oci::LayerSpec spec;
  spec.entries.push_back({.type = Type::file, .path = "bin/busybox", .mode = 0755, .source = "/bin/busybox",
                          .content = {}, .link_target = {}});
  for (const char* applet : {"sh", "echo", "ls", "cat", "env", "id", "true", "false"})
    spec.entries.push_back({.type = Type::symlink, .path = std::string("bin/") + applet, .mode = 0777, .source = {},
                            .content = {}, .link_target = "busybox"});
  spec.entries.push_back({.type = Type::file, .path = "etc/passwd", .mode = 0644, .source = {},
                          .content = "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n",
                          .link_target = {}});
  spec.entries.push_back({.type = Type::directory, .path = "tmp", .mode = 01777, .source = {}, .content = {},
                          .link_target = {}});
  spec.entries.push_back({.type = Type::directory, .path = "root", .mode = 0700, .source = {}, .content = {},
                          .link_target = {}});
  return spec;
}

struct PushedManifest {
  std::string media_type;
  std::string bytes;
};

PushedManifest push_image(oci::RegistryClient& client, const BusyboxBase& base,
                          const std::vector<oci::WrittenLayer>& layers, const std::string& architecture) {
  namespace mt = oci::media_type;
  const bool docker = base.format == ImageFormat::docker;
  oci::Json config = {
      {"architecture", architecture},
      {"os", "linux"},
      {"config", {{"Env", {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}},
                  {"Cmd", {"/bin/sh"}}}},
      {"created", "2024-01-01T00:00:00Z"},
      {"history", oci::Json::array()},
      {"rootfs", {{"type", "layers"}, {"diff_ids", oci::Json::array()}}},
  };
  oci::Json layer_descriptors = oci::Json::array();
  for (const oci::WrittenLayer& layer : layers) {
    config["history"].push_back({{"created", "2024-01-01T00:00:00Z"}, {"created_by", "kiln test base"}});
    config["rootfs"]["diff_ids"].push_back(layer.diff_id.to_string());
    oci::push_blob_file(client, base.repository, layer.blob_path, layer.digest, layer.size);
    layer_descriptors.push_back(oci::Descriptor{.media_type = oci::layer_media_type(layer.compression, docker),
                                                .digest = layer.digest, .size = layer.size}
                                    .to_json());
  }
  const oci::Descriptor config_descriptor = oci::push_blob_bytes(
      client, base.repository, oci::dump_json(config), std::string(docker ? mt::docker_config : mt::oci_config));
  oci::Json manifest = {{"schemaVersion", 2}};
  manifest["mediaType"] = docker ? mt::docker_manifest : mt::oci_manifest;
  manifest["config"] = config_descriptor.to_json();
  manifest["layers"] = std::move(layer_descriptors);
  return PushedManifest{.media_type = std::string(docker ? mt::docker_manifest : mt::oci_manifest),
                        .bytes = oci::dump_json(manifest)};
}

}  // namespace

oci::Digest push_busybox_base(oci::RegistryClient& client, const BusyboxBase& base) {
  TempDir scratch("kiln-busybox");
  std::vector<oci::WrittenLayer> layers{oci::write_layer(busybox_layer(), scratch.path() / "layer")};
  if (!base.payload_file.empty()) {
    oci::LayerSpec payload;
    payload.entries.push_back({.type = oci::LayerEntry::Type::file, .path = "opt/payload", .mode = 0644,
                               .source = base.payload_file, .content = {}, .link_target = {}});
    layers.push_back(oci::write_layer(payload, scratch.path() / "payload"));
  }
  if (!base.multi_platform) {
    const PushedManifest m = push_image(client, base, layers, "amd64");
    return client.put_manifest(base.repository, base.tag, m.media_type, m.bytes);
  }
  namespace mt = oci::media_type;
  oci::Json index = {{"schemaVersion", 2}};
  index["mediaType"] = base.format == ImageFormat::docker ? mt::docker_manifest_list : mt::oci_index;
  index["manifests"] = oci::Json::array();
  for (const char* arch : {"amd64", "arm64"}) {
    const PushedManifest m = push_image(client, base, layers, arch);
    const oci::Digest digest = client.put_manifest(base.repository, oci::Sha256::of(m.bytes).to_string(), m.media_type,
                                                   m.bytes);
    oci::Json d = oci::Descriptor{.media_type = m.media_type, .digest = digest,
                                  .size = static_cast<std::int64_t>(m.bytes.size())}
                      .to_json();
    d["platform"] = {{"architecture", arch}, {"os", "linux"}};
    if (std::string(arch) == "arm64") d["platform"]["variant"] = "v8";
    index["manifests"].push_back(d);
  }
  return client.put_manifest(base.repository, base.tag, index["mediaType"].get<std::string>(), oci::dump_json(index));
}

}  // namespace kiln::testing
