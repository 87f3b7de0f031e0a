#include "oci/media_type.h"

namespace kiln::oci::media_type {

std::string manifest_accept() {
  return std::string(oci_index) + ", " + std::string(docker_manifest_list) + ", " + std::string(oci_manifest) + ", " +
         std::string(docker_manifest);
}

}  // namespace kiln::oci::media_type
