#pragma once
// What a RUN-less Dockerfile stage amounts to: a base (an image, or nothing for scratch), the
// layers its COPY/ADD instructions add, and the config it ends with. Executing the recipe is
// pushing it (push_recipe.h); deciding it touches no registry.
#include <optional>
#include <string>
#include <vector>

#include "oci/image/config_edit.h"
#include "oci/json.h"
#include "oci/layer/layer_writer.h"
#include "oci/reference.h"

namespace kiln::plugin {

struct RecipeLayer {
  oci::LayerSpec spec;
  oci::HistoryEntry history;
};

/// One history line of an instruction that adds no layer (ENV, LABEL, ...).
struct RecipeStep {
  oci::HistoryEntry history;
  bool empty_layer = true;
};

struct ImageRecipe {
  std::optional<oci::Reference> base;  ///< nullopt: FROM scratch
  std::vector<RecipeLayer> layers;
  /// The `config` object changes, applied over the base's: fields set here replace the
  /// base's, `unset` fields are removed (CMD cleared by ENTRYPOINT).
  oci::Json config = oci::Json::object();
  std::vector<std::string> unset;
  std::vector<RecipeStep> history;  ///< every instruction, in order
  std::string author;               ///< MAINTAINER
};

}  // namespace kiln::plugin
