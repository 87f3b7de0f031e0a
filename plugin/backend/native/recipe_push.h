#pragma once
// Storing an ImageRecipe: the base resolved for one platform (or scratch), every layer
// streamed into the sink, the config changes merged over the base's (Env
// upserted in place, Labels / ExposedPorts / Volumes merged, the rest replaced), the manifest
// stored by digest once everything it names is there (ImageOutput tags it).
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "oci/credentials/credential.h"
#include "oci/image/append.h"
#include "oci/image/filesystem_view.h"
#include "oci/image/platform.h"
#include "oci/image/remote_image.h"
#include "oci/layer/layer_writer.h"
#include "oci/reference.h"
#include "plugin/backend/backend.h"
#include "plugin/backend/native/image_output.h"
#include "plugin/backend/native/image_recipe.h"
#include "plugin/build_control.h"
#include "plugin/plan.h"

namespace kiln::plugin {

struct RecipeTarget {
  ImageOutputs outputs;  ///< destinations, dry run, layout and tarball
  oci::Platform platform{.os = "linux", .architecture = "amd64", .variant = ""};
  oci::CompressionSettings compression;
  std::int64_t source_date_epoch = 0;
  std::optional<std::filesystem::path> layer_cache_dir;
  RegistryAccess access;
  Labels labels;  ///< merged last, over the base's and the Dockerfile's LABELs
};

/// Reads base images (manifest and config) once per reference and keeps them, so the
/// interpreter's ENV lookups and the push do not fetch twice.
class BaseImages {
 public:
  /// Every registry client it makes stops at `stop` (RegistryOptions::stop).
  BaseImages(std::shared_ptr<const oci::Keychain> keychain, RegistryAccess access, oci::Platform platform,
             std::stop_token stop = {});
  ~BaseImages();
  /// The image for the platform; throws kiln::Error naming the reference when absent.
  const oci::ResolvedImage& resolve(const oci::Reference& reference);
  /// Its file tree (every layer's headers, downloaded once per build).
  const oci::FilesystemView& tree(const oci::Reference& reference);
  oci::RegistryClient& client_for(const std::string& registry);
  /// Its entries under `prefixes`, contents extracted to a directory living as long as this.
  std::vector<oci::LayerEntry> files(const oci::Reference& reference, const std::vector<std::string>& prefixes);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

/// Stores the recipe's layers and config in `sink` and returns the manifest, not stored yet
/// (ImageOutput::publish stores it under its tags). `control` hears of the base and each layer.
oci::NewManifest store_recipe(const ImageRecipe& recipe, const RecipeTarget& target, BaseImages& bases,
                              oci::ImageSink& sink, const BuildControl& control = {});

/// Merges the recipe's `config` changes over a base config document.
[[nodiscard]] oci::Json merged_config(const oci::Json& base_config, const ImageRecipe& recipe);

}  // namespace kiln::plugin
