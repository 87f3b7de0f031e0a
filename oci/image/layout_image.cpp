#include "oci/image/layout_image.h"

#include <fmt/format.h>

#include <filesystem>
#include <sstream>

#include "core/error.h"
#include "core/read_file.h"
#include "oci/image/image_document.h"
#include "oci/image/manifest_edit.h"
#include "oci/media_type.h"

namespace kiln::oci {
namespace {

std::string read_blob(BlobReader& blobs, const Json& descriptor, const std::string& what) {
  const Descriptor blob = Descriptor::from_json(descriptor, fmt::format("{} in {}", what, blobs.describe()));
  if (blob.size > kMaxDocumentBytes)
    throw_infra(fmt::format("{} {} in {}: {} bytes, over the limit of {}", what, blob.digest.to_string(),
                            blobs.describe(), blob.size, kMaxDocumentBytes));
  std::ostringstream out;
  blobs.fetch_to(blob.digest, blob.size, out);
  return out.str();
}

bool is_index_descriptor(const Json& descriptor) {
  return media_type::is_index(descriptor.value("mediaType", ""));
}

// Appends the runnable manifests under `descriptor`, following nested indexes (a layout's
// index.json often points at the image's own index).
void collect(BlobReader& blobs, const Json& descriptor, std::vector<Json>& out, int depth) {
  if (depth > 4) throw_usage(fmt::format("{}: indexes nested more than 4 deep", blobs.describe()));
  if (is_attestation(descriptor)) return;
  if (!is_index_descriptor(descriptor)) {
    out.push_back(descriptor);
    return;
  }
  const Digest digest = Digest::parse(descriptor.at("digest").get<std::string>());
  const Json index = parse_json(read_blob(blobs, descriptor, "index"), fmt::format("index {} in {}", digest.to_string(), blobs.describe()));
  for (const Json& child : index.value("manifests", Json::array())) collect(blobs, child, out, depth + 1);
}

}  // namespace

std::vector<Json> layout_manifest_descriptors(const std::string& layout_directory, const std::string& ref_name) {
  const std::filesystem::path index_path = std::filesystem::path(layout_directory) / "index.json";
  const auto text = read_file(index_path, kMaxDocumentBytes, "OCI layout index");
  if (!text) throw_usage(fmt::format("{} is not an OCI image layout: it has no index.json", layout_directory));
  const Json index = parse_json(*text, index_path.string());
  auto blobs = layout_blob_reader(layout_directory);
  std::vector<Json> out;
  for (const Json& descriptor : index.value("manifests", Json::array())) {
    if (!ref_name.empty()) {
      const Json annotations = descriptor.value("annotations", Json::object());
      if (annotations.value(kRefNameAnnotation, "") != ref_name) continue;
    }
    collect(*blobs, descriptor, out, 0);
  }
  if (out.empty())
    throw_usage(ref_name.empty() ? fmt::format("OCI layout {} holds no image", layout_directory)
                                 : fmt::format("OCI layout {} has no image named '{}'", layout_directory, ref_name));
  return out;
}

ResolvedImage read_layout_image(BlobReader& blobs, const Json& descriptor) {
  const Digest digest = Digest::parse(descriptor.at("digest").get<std::string>());
  ResolvedImage image{.media_type = descriptor.value("mediaType", std::string(media_type::oci_manifest)),
                      .manifest_bytes = read_blob(blobs, descriptor, "manifest"),
                      .digest = digest};
  image.manifest = parse_json(image.manifest_bytes, fmt::format("manifest {} in {}", digest.to_string(), blobs.describe()));
  const Digest config_digest = Digest::parse(image.manifest.at("config").at("digest").get<std::string>());
  image.config = parse_json(read_blob(blobs, image.manifest.at("config"), "config"),
                            fmt::format("config {} in {}", config_digest.to_string(), blobs.describe()));
  image.platform = Platform::from_config(image.config);
  if (image.platform.variant.empty() && descriptor.contains("platform"))
    image.platform.variant = Platform::from_descriptor(descriptor).variant;
  return image;
}

}  // namespace kiln::oci
