#include "oci/image/image_copy.h"

#include <fmt/format.h>

#include "core/error.h"
#include "oci/image/image_document.h"
#include "oci/media_type.h"

namespace kiln::oci {
namespace {

bool take(const ImageSource& source, const Json& descriptor, ImageSink& target) {
  if (source.registry) return target.take_blob(*source.registry, Descriptor::from_json(descriptor, "manifest"));
  const Digest digest = Digest::parse(descriptor.at("digest").get<std::string>());
  const auto file = source.layout / "blobs/sha256" / digest.hex();
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec))
    throw_usage(fmt::format("OCI layout {}: blob {} is missing", source.layout.string(), digest.to_string()));
  return target.put_blob_file(file, digest, descriptor.value("size", std::int64_t{0})) == Uploaded::yes;
}

int copy_manifest_blobs(const ImageSource& source, const StoredManifest& manifest, ImageSink& target) {
  const Json doc = parse_json(manifest.bytes, "manifest");
  int copied = 0;
  for (const Json& layer : doc.value("layers", Json::array()))
    if (!layer.contains("urls")) copied += take(source, layer, target) ? 1 : 0;
  if (doc.contains("config")) copied += take(source, doc.at("config"), target) ? 1 : 0;
  return copied;
}

}  // namespace

int copy_image_blobs(const ImageSource& source, const StoredImage& image, ImageSink& target) {
  int copied = 0;
  for (const StoredManifest& child : image.children) {
    copied += copy_manifest_blobs(source, child, target);
    target.put_manifest("", child.media_type, child.bytes);
  }
  if (!media_type::is_index(image.top.media_type)) copied += copy_manifest_blobs(source, image.top, target);
  return copied;
}

StoredImage read_layout_stored_image(const std::filesystem::path& layout, const std::string& ref_name) {
  const Json index = parse_json(read_document_file(layout / "index.json"), (layout / "index.json").string());
  std::vector<Json> found;
  for (const Json& d : index.value("manifests", Json::array()))
    if (ref_name.empty() ||
        d.value("annotations", Json::object()).value(kRefNameAnnotation, "") == ref_name)
      found.push_back(d);
  if (found.empty())
    throw_usage(ref_name.empty() ? fmt::format("OCI layout {} holds no image", layout.string())
                                 : fmt::format("OCI layout {} has no image named '{}'", layout.string(), ref_name));
  // Several tags of one image are one image.
  for (const Json& d : found)
    if (d.at("digest") != found.front().at("digest"))
      throw_usage(fmt::format("OCI layout {} holds several images; give a layout with one image (several tags "
                              "of one are fine)",
                              layout.string()));
  auto blob = [&](const Json& d) {
    return read_document_file(layout / "blobs/sha256" / Digest::parse(d.at("digest").get<std::string>()).hex());
  };
  StoredImage image{.top = {.media_type = found.front().value("mediaType", std::string(media_type::oci_manifest)),
                            .bytes = blob(found.front())},
                    .children = {}};
  if (media_type::is_index(image.top.media_type))
    for (const Json& child : parse_json(image.top.bytes, "index").value("manifests", Json::array())) {
      if (media_type::is_index(child.value("mediaType", "")))
        throw_usage(fmt::format("OCI layout {}: nested indexes are not supported", layout.string()));
      image.children.push_back({.media_type = child.value("mediaType", std::string(media_type::oci_manifest)),
                                .bytes = blob(child)});
    }
  return image;
}

}  // namespace kiln::oci
