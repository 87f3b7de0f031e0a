#pragma once
// A backend builds the planned image and pushes it. Native, kaniko and auto differ only in
// how they do it; the caller never asks which one it has.
#include <string>
#include <vector>

#include "oci/digest.h"
#include "oci/reference.h"

namespace kiln::plugin {

struct BuildPlan;

struct BuildResult {
  oci::Digest digest;            ///< of the pushed manifest or index
  std::string media_type;
  std::vector<oci::Reference> pushed;  ///< every tag pushed
  int layers_uploaded = 0;             ///< new layers sent (0 on an unchanged rebuild)
  std::int64_t layer_bytes_uploaded = 0;  ///< their compressed bytes (what kiln-bench reports as uploaded)
  int base_layers_copied = 0;          ///< base layers copied from another registry
  std::string backend;                 ///< who built it, for the summary: "native" or "kaniko"
  std::string tar_path;                ///< the docker-archive written, if any (DRONE_OUTPUT's IMAGE_TAR_PATH)
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual BuildResult build(const BuildPlan& plan) = 0;
};

}  // namespace kiln::plugin
