#include "oci/image/remote_image.h"

#include <fmt/format.h>

#include "core/error.h"
#include "oci/media_type.h"

namespace kiln::oci {
namespace {

ResolvedImage resolve_manifest(RegistryClient& client, const Reference& reference, ManifestResponse response) {
  const std::string what = fmt::format("manifest of {}", reference.to_string());
  ResolvedImage image{.media_type = response.media_type, .manifest_bytes = {}, .digest = response.digest,
                      .manifest = parse_json(response.bytes, what), .config = {}, .platform = {}};
  if (!media_type::is_manifest(image.media_type)) {
    // Some registries answer with a generic Content-Type; the body's mediaType decides then.
    const std::string declared = image.manifest.value("mediaType", "");
    if (media_type::is_manifest(declared)) image.media_type = declared;
    else if (image.manifest.value("schemaVersion", 0) == 2 && image.manifest.contains("config"))
      image.media_type = std::string(media_type::oci_manifest);
    else
      throw_usage(fmt::format("{} has unsupported media type '{}'", reference.to_string(), response.media_type));
  }
  image.manifest_bytes = std::move(response.bytes);
  const Json& config_descriptor = image.manifest.at("config");
  const Digest config_digest = Digest::parse(config_descriptor.at("digest").get<std::string>());
  const std::string config_bytes = client.get_blob(reference.repository(), config_digest);
  image.config = parse_json(config_bytes, fmt::format("config {} of {}", config_digest.to_string(), reference.to_string()));
  image.platform = Platform::from_config(image.config);
  return image;
}

}  // namespace

std::vector<Platform> BaseImage::platforms() const {
  std::vector<Platform> out;
  if (image) out.push_back(image->platform);
  for (const Json& child : children) out.push_back(Platform::from_descriptor(child));
  return out;
}

BaseImage fetch_base(RegistryClient& client, const Reference& reference) {
  BaseImage base{.reference = reference, .index = std::nullopt, .index_json = {}, .children = {}, .image = std::nullopt};
  ManifestResponse top = client.get_manifest(reference.repository(), reference.identifier());
  if (top.media_type == media_type::docker_schema1 || top.media_type == media_type::docker_schema1_signed)
    throw_usage(fmt::format("{} is a Docker schema 1 image, which kiln does not support: rebuild or re-push it "
                            "with a current tool",
                            reference.to_string()));
  Json doc = parse_json(top.bytes, fmt::format("manifest of {}", reference.to_string()));
  const std::string declared = doc.value("mediaType", "");
  if (media_type::is_index(top.media_type) || media_type::is_index(declared) ||
      (declared.empty() && doc.contains("manifests"))) {
    for (const Json& descriptor : doc.value("manifests", Json::array()))
      if (!is_attestation(descriptor)) base.children.push_back(descriptor);
    base.index_json = std::move(doc);
    base.index = std::move(top);
    return base;
  }
  base.image = resolve_manifest(client, reference, std::move(top));
  return base;
}

ResolvedImage resolve_child(RegistryClient& client, const Reference& reference, const Json& descriptor) {
  const Digest digest = Digest::parse(descriptor.at("digest").get<std::string>());
  const Reference child_ref = reference.with_digest(digest);
  ManifestResponse response = client.get_manifest(reference.repository(), digest.to_string());
  ResolvedImage image = resolve_manifest(client, child_ref, std::move(response));
  // The index's platform is what the user chose by; the config's may omit the variant.
  if (image.platform.variant.empty()) image.platform.variant = Platform::from_descriptor(descriptor).variant;
  return image;
}

}  // namespace kiln::oci
