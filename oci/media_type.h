#pragma once
// The media types an image push involves, and the vendor (Docker or OCI) each belongs to:
// every descriptor of a manifest must follow the manifest's vendor (containers/image rejects
// a Docker schema2 manifest with OCI layer types).
#include <string>
#include <string_view>

namespace kiln::oci::media_type {

inline constexpr std::string_view oci_index = "application/vnd.oci.image.index.v1+json";
inline constexpr std::string_view oci_manifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr std::string_view oci_config = "application/vnd.oci.image.config.v1+json";
inline constexpr std::string_view oci_layer = "application/vnd.oci.image.layer.v1.tar";
inline constexpr std::string_view oci_layer_gzip = "application/vnd.oci.image.layer.v1.tar+gzip";
inline constexpr std::string_view oci_layer_zstd = "application/vnd.oci.image.layer.v1.tar+zstd";
inline constexpr std::string_view docker_manifest_list = "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr std::string_view docker_manifest = "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr std::string_view docker_config = "application/vnd.docker.container.image.v1+json";
inline constexpr std::string_view docker_layer = "application/vnd.docker.image.rootfs.diff.tar";
inline constexpr std::string_view docker_layer_gzip = "application/vnd.docker.image.rootfs.diff.tar.gzip";
inline constexpr std::string_view docker_schema1_signed = "application/vnd.docker.distribution.manifest.v1+prettyjws";
inline constexpr std::string_view docker_schema1 = "application/vnd.docker.distribution.manifest.v1+json";

/// The Accept header for manifest GETs: all four types, or Distribution answers 404/400
/// for manifests that exist.
std::string manifest_accept();

inline bool is_index(std::string_view t) { return t == oci_index || t == docker_manifest_list; }
inline bool is_manifest(std::string_view t) { return t == oci_manifest || t == docker_manifest; }

}  // namespace kiln::oci::media_type
