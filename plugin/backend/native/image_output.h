#pragma once
// Where a native build's image goes. A plain push builds straight into the first destination's
// repository (new layers stream while they are compressed); a dry run, an OCI layout or a
// tarball builds into a layout first (base layers fetched into it and checked by digest), and
// the registries, if any, are fed from there. Other destinations then get the image by mount
// (same registry) or copy (another registry), and every tag moves last: a stop (BuildControl)
// is honoured until the first tag moves, and then all of them move.
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/temp_dir.h"
#include "oci/image/image_copy.h"
#include "oci/image/image_sink.h"
#include "oci/reference.h"
#include "oci/registry/client.h"
#include "plugin/backend/backend.h"
#include "plugin/build_control.h"

namespace kiln::plugin {

/// What the settings ask for the built image.
struct ImageOutputs {
  std::vector<oci::Reference> destinations;  ///< tagged; repo × tags, or the `destinations` setting
  bool push = true;                          ///< false: dry_run
  std::filesystem::path oci_layout_path;     ///< empty: none
  std::filesystem::path tar_path;            ///< empty: none (docker-archive)
};

using ClientFor = std::function<oci::RegistryClient&(const std::string& registry)>;

class ImageOutput {
 public:
  /// Throws kiln::Error(usage) when nothing would come out (no destination, no push, no file).
  ImageOutput(ImageOutputs outputs, ClientFor client_for, BuildControl control = {});
  /// Where the build stores its blobs and, by digest, its manifests.
  oci::ImageSink& sink() { return *sink_; }
  /// Tags the image everywhere it goes: the layout, the tarball, every destination.
  BuildResult publish(const oci::StoredImage& image);

 private:
  ImageOutputs outputs_;
  ClientFor client_for_;
  BuildControl control_;
  std::optional<TempDir> staging_;          ///< the layout of a dry run that keeps none
  std::filesystem::path layout_;            ///< empty: building straight into the registry
  std::unique_ptr<oci::ImageSink> sink_;
};

}  // namespace kiln::plugin
