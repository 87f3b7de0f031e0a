#include "oci/image/append.h"

#include <fmt/format.h>

#include <algorithm>

#include "oci/media_type.h"
#include "oci/sha256.h"

namespace kiln::oci {

ResolvedImage scratch_image(const Platform& platform) {
  Json config = {{"architecture", platform.architecture}, {"os", platform.os}};
  if (!platform.variant.empty()) config["variant"] = platform.variant;
  config["config"] = Json::object();
  config["rootfs"] = {{"type", "layers"}, {"diff_ids", Json::array()}};
  Json manifest = {{"schemaVersion", 2}, {"mediaType", media_type::oci_manifest}, {"config", Json::object()},
                   {"layers", Json::array()}};
  const std::string bytes = dump_json(manifest);
  return ResolvedImage{.media_type = std::string(media_type::oci_manifest), .manifest_bytes = bytes,
                       .digest = Sha256::of(bytes), .manifest = std::move(manifest), .config = std::move(config),
                       .platform = platform};
}

NewManifest append_layers(const BlobOrigin* origin, const std::optional<Reference>& base_reference,
                          const ResolvedImage& base, ImageSink& target, const ImageAddition& addition, const ConfigEdit& edit, std::int64_t created) {
  Json manifest = base.manifest;
  bool docker = is_docker_manifest(manifest, base.media_type);
  const bool any_zstd = std::any_of(addition.layers.begin(), addition.layers.end(),
                                    [](const PushedLayer& l) { return l.compression == Compression::zstd; });
  if (docker && (any_zstd || target.oci_only())) {
    manifest = converted_to_oci(manifest);
    docker = false;
  }
  int copied = 0;
  if (origin)
    for (const Json& layer : base.manifest.value("layers", Json::array())) {
      if (layer.contains("urls")) continue;  // foreign layers are fetched from their URLs, never stored
      copied += target.take_blob(*origin, Descriptor::from_json(layer, "a layer of the base manifest")) ? 1 : 0;
    }

  std::vector<Digest> diff_ids;
  std::vector<Descriptor> descriptors;
  int uploaded = 0;
  std::int64_t uploaded_bytes = 0;
  for (const PushedLayer& layer : addition.layers) {
    diff_ids.push_back(layer.diff_id);
    descriptors.push_back({.media_type = layer_media_type(layer.compression, docker), .digest = layer.digest,
                           .size = layer.size});
    uploaded += layer.uploaded == Uploaded::yes ? 1 : 0;
    uploaded_bytes += layer.uploaded == Uploaded::yes ? layer.size : 0;
  }
  Json config = with_layers(base.config, diff_ids, addition.history, created);
  if (edit) config = edit(config);
  const std::string config_type(docker ? media_type::docker_config : media_type::oci_config);
  const Descriptor config_descriptor = target.put_blob_bytes(dump_json(config), config_type);

  manifest = with_config_and_layers(manifest, config_descriptor, descriptors);
  if (!docker && base_reference) manifest = with_base_annotations(manifest, base_reference->to_string(), base.digest);

  const std::string bytes = dump_json(manifest);
  return NewManifest{.media_type = std::string(docker ? media_type::docker_manifest : media_type::oci_manifest),
                     .bytes = bytes,
                     .digest = Sha256::of(bytes),
                     .platform = base.platform,
                     .base_layers_copied = copied,
                     .layers_uploaded = uploaded,
                     .layer_bytes_uploaded = uploaded_bytes};
}

NewIndex make_index(const BaseImage& base, const std::vector<std::pair<Json, NewManifest>>& children) {
  bool any_oci = false;
  std::vector<IndexChild> entries;
  for (const auto& [descriptor, manifest] : children) {
    any_oci |= manifest.media_type == media_type::oci_manifest;
    entries.push_back(IndexChild{.base_descriptor = descriptor,
                                 .manifest = Descriptor{.media_type = manifest.media_type, .digest = manifest.digest,
                                                        .size = static_cast<std::int64_t>(manifest.bytes.size())}});
  }
  std::string type = base.index ? base.index->media_type : std::string(media_type::oci_index);
  if (!media_type::is_index(type)) type = base.index_json.value("mediaType", std::string(media_type::oci_index));
  if (any_oci && type == media_type::docker_manifest_list) type = std::string(media_type::oci_index);
  Json index = with_children(base.index_json, entries);
  if (index.contains("mediaType") || type == media_type::docker_manifest_list) index["mediaType"] = type;
  return NewIndex{.media_type = type, .bytes = dump_json(index)};
}

}  // namespace kiln::oci
