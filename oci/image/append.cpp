#include "oci/image/append.h"

#include <fmt/format.h>

#include "oci/media_type.h"
#include "oci/sha256.h"

namespace kiln::oci {

NewManifest append_layer(const BlobOrigin& origin, const Reference& base_reference, const ResolvedImage& base,
                         RegistryClient& target, const std::string& repository, const NewLayer& layer,
                         const ConfigEdit& edit, std::int64_t created) {
  Json manifest = base.manifest;
  bool docker = is_docker_manifest(manifest, base.media_type);
  const PushedLayer& w = layer.pushed;
  if (docker && w.compression == Compression::zstd) {
    manifest = converted_to_oci(manifest);
    docker = false;
  }
  const int copied = ensure_layers_present(origin, target, repository, base.manifest);


  Json config = with_layer(base.config, w.diff_id, layer.history, created);
  if (edit) config = edit(config);
  const std::string config_type(docker ? media_type::docker_config : media_type::oci_config);
  const Descriptor config_descriptor = push_blob_bytes(target, repository, dump_json(config), config_type);

  const Descriptor layer_descriptor{.media_type = layer_media_type(w.compression, docker), .digest = w.digest,
                                    .size = w.size};
  manifest = with_config_and_layer(manifest, config_descriptor, layer_descriptor);
  if (!docker) manifest = with_base_annotations(manifest, base_reference.to_string(), base.digest);

  NewManifest out{.media_type = std::string(docker ? media_type::docker_manifest : media_type::oci_manifest),
                  .bytes = dump_json(manifest),
                  .digest = Sha256::of(""),
                  .platform = base.platform,
                  .base_layers_copied = copied,
                  .layer_uploaded = w.uploaded};
  out.digest = Sha256::of(out.bytes);
  return out;
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
