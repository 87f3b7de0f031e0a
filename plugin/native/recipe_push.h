#pragma once
// Pushing an ImageRecipe: the base resolved for one platform (or scratch), every layer
// streamed into the target repository, the config changes merged over the base's (Env
// upserted in place, Labels / ExposedPorts / Volumes merged, the rest replaced), the manifest
// pushed under every tag once everything it names is there.
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "oci/credentials/credential.h"
#include "oci/image/filesystem_view.h"
#include "oci/image/platform.h"
#include "oci/image/remote_image.h"
#include "oci/layer/layer_writer.h"
#include "oci/reference.h"
#include "plugin/backend/backend.h"
#include "plugin/native/image_recipe.h"
#include "plugin/plan.h"

namespace kiln::plugin {

struct RecipeTarget {
  oci::Reference target;          ///< repository and first tag
  std::vector<std::string> tags;
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
  BaseImages(std::shared_ptr<const oci::Keychain> keychain, RegistryAccess access, oci::Platform platform);
  ~BaseImages();
  /// The image for the platform; throws kiln::Error naming the reference when absent.
  const oci::ResolvedImage& resolve(const oci::Reference& reference);
  /// Its file tree (every layer's headers, downloaded once per build).
  const oci::FilesystemView& tree(const oci::Reference& reference);
  oci::RegistryClient& client_for(const std::string& registry);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

BuildResult push_recipe(const ImageRecipe& recipe, const RecipeTarget& target, BaseImages& bases);

/// Merges the recipe's `config` changes over a base config document.
[[nodiscard]] oci::Json merged_config(const oci::Json& base_config, const ImageRecipe& recipe);

}  // namespace kiln::plugin
