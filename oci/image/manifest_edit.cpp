#include "oci/image/manifest_edit.h"

#include <fmt/format.h>

#include <map>

#include "core/error.h"

#include "oci/media_type.h"

namespace kiln::oci {

Json Descriptor::to_json() const {
  Json d = Json::object();
  d["mediaType"] = media_type;
  d["digest"] = digest.to_string();
  d["size"] = size;
  return d;
}

Descriptor Descriptor::from_json(const Json& descriptor, const std::string& where) {
  const auto digest = descriptor.is_object() ? descriptor.find("digest") : descriptor.end();
  const auto size = descriptor.is_object() ? descriptor.find("size") : descriptor.end();
  if (digest == descriptor.end() || !digest->is_string())
    throw_infra(fmt::format("{}: a descriptor without a digest", where));
  if (size == descriptor.end() || !size->is_number_integer() || size->get<std::int64_t>() < 0)
    throw_infra(fmt::format("{}: descriptor {} has no valid size", where, digest->get<std::string>()));
  Descriptor out{.media_type = descriptor.value("mediaType", ""), .digest = Digest::parse(digest->get<std::string>()),
                 .size = size->get<std::int64_t>()};
  return out;
}

bool is_docker_manifest(const Json& manifest, const std::string& content_type) {
  const std::string declared = manifest.value("mediaType", "");
  return (declared.empty() ? content_type : declared) == media_type::docker_manifest;
}

Json converted_to_oci(const Json& docker_manifest) {
  static const std::map<std::string, std::string> oci_type_of = {
      {std::string(media_type::docker_manifest), std::string(media_type::oci_manifest)},
      {std::string(media_type::docker_config), std::string(media_type::oci_config)},
      {std::string(media_type::docker_layer), std::string(media_type::oci_layer)},
      {std::string(media_type::docker_layer_gzip), std::string(media_type::oci_layer_gzip)},
      {"application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
       "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip"},
  };
  auto convert = [&](Json& node) {
    if (!node.is_object() || !node.contains("mediaType")) return;
    auto it = oci_type_of.find(node["mediaType"].get<std::string>());
    if (it != oci_type_of.end()) node["mediaType"] = it->second;
  };
  Json out = docker_manifest;
  convert(out);
  if (out.contains("config")) convert(out["config"]);
  if (out.contains("layers") && out["layers"].is_array())
    for (Json& layer : out["layers"]) convert(layer);
  return out;
}

Json with_config_and_layers(const Json& manifest, const Descriptor& config, const std::vector<Descriptor>& layers) {
  Json out = manifest;
  // Keep whatever else the base config descriptor carried (annotations, ...).
  Json config_descriptor = out.contains("config") && out["config"].is_object() ? out["config"] : Json::object();
  config_descriptor["mediaType"] = config.media_type;
  config_descriptor["digest"] = config.digest.to_string();
  config_descriptor["size"] = config.size;
  out["config"] = std::move(config_descriptor);
  if (!out["layers"].is_array()) out["layers"] = Json::array();
  for (const Descriptor& layer : layers) out["layers"].push_back(layer.to_json());
  return out;
}

Json with_base_annotations(const Json& manifest, const std::string& base_name, const Digest& base_digest) {
  Json out = manifest;
  Json& annotations = out["annotations"];
  if (!annotations.is_object()) annotations = Json::object();
  annotations["org.opencontainers.image.base.name"] = base_name;
  annotations["org.opencontainers.image.base.digest"] = base_digest.to_string();
  return out;
}

Json with_children(const Json& base_index, const std::vector<IndexChild>& children) {
  Json out = base_index;
  Json manifests = Json::array();
  for (const IndexChild& child : children) {
    Json d = child.base_descriptor;
    d["mediaType"] = child.manifest.media_type;
    d["digest"] = child.manifest.digest.to_string();
    d["size"] = child.manifest.size;
    manifests.push_back(std::move(d));
  }
  out["manifests"] = std::move(manifests);
  return out;
}

}  // namespace kiln::oci
