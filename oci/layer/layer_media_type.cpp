#include "core/error.h"
#include "oci/layer/layer_writer.h"
#include "oci/media_type.h"

namespace kiln::oci {

std::string layer_media_type(Compression compression, bool docker_vendor) {
  switch (compression) {
    case Compression::none:
      return std::string(docker_vendor ? media_type::docker_layer : media_type::oci_layer);
    case Compression::gzip:
      return std::string(docker_vendor ? media_type::docker_layer_gzip : media_type::oci_layer_gzip);
    case Compression::zstd:
      // Docker schema2 defines no zstd layer type; registries and runtimes that read zstd
      // layers expect them in OCI manifests (image-spec v1.1).
      if (docker_vendor)
        throw_usage("zstd layers need an OCI manifest: Docker manifests have no zstd layer media type "
                    "(use gzip, or push an OCI manifest)");
      return std::string(media_type::oci_layer_zstd);
  }
  throw_usage("unknown layer compression");
}

}  // namespace kiln::oci
