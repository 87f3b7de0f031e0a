#pragma once
// Image documents (manifests, indexes, configs) are held in memory whole, so each read of one,
// from a registry, an OCI layout or a docker-archive of unknown origin, has one bound.
#include <cstdint>
#include <filesystem>
#include <string>

namespace kiln::oci {

/// No manifest, index or config may be larger, whatever its descriptor says.
inline constexpr std::int64_t kMaxDocumentBytes = 16 << 20;

/// The annotation that names a tag in an OCI layout's index.json (image-spec annotations.md).
inline constexpr const char* kRefNameAnnotation = "org.opencontainers.image.ref.name";

/// The bytes of an image document stored as a file (in an OCI layout or an unpacked
/// docker-archive), at most kMaxDocumentBytes. Throws kiln::Error(usage) naming the file when it
/// cannot be read or is larger.
std::string read_document_file(const std::filesystem::path& file);

}  // namespace kiln::oci
