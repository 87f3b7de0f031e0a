#pragma once
// Turns the target stage of a RUN-less Dockerfile into an ImageRecipe, instruction by
// instruction, with Docker's rules for ARG scoping, variable expansion and each instruction.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "core/error.h"
#include "oci/image/filesystem_view.h"
#include "plugin/backend/native/add_archive.h"
#include "plugin/backend/native/image_recipe.h"
#include "plugin/dockerfile/dockerfile.h"

namespace kiln::plugin {

struct BuildInputs {
  std::filesystem::path context;
  DockerIgnore ignore;
  std::map<std::string, std::string> build_args;
  std::string target;  ///< stage name; empty: the last stage
  /// Where ADD unpacks the contents of archives; empty when only planning (archives are
  /// recognised, not unpacked).
  std::filesystem::path scratch = {};
  ArchiveBudget archive_budget = {};
};

/// Thrown for what a RUN-less build cannot do natively (RUN itself, ADD of a URL, ONBUILD,
/// FROM --platform): the `auto` backend hands such builds to Kaniko.
class NativeUnsupported : public Error {
 public:
  explicit NativeUnsupported(const std::string& why) : Error(ExitClass::usage, why) {}
};

/// What the interpreter needs to know of a base image: its Env ("K=V": ENV ${PATH}:/x must
/// see the base's PATH) and its file tree (an existing /tmp keeps its 1777 when COPY writes
/// under it; a /lib symlink is followed), and the files under some paths, contents included
/// (COPY --from an image or a stage on one; /etc/passwd for --chown=name). Empty functions:
/// nothing is known (planning only: then names are not resolved and base files not checked).
struct BaseLookup {
  std::function<std::vector<std::string>(const oci::Reference&)> env;
  std::function<const oci::FilesystemView&(const oci::Reference&)> tree;
  std::function<std::vector<oci::LayerEntry>(const oci::Reference&, const std::vector<std::string>& prefixes)> files;
};

/// Throws NativeUnsupported, or kiln::Error(usage) "<file>:<line>: ..." for bad input.
ImageRecipe interpret(const Dockerfile& dockerfile, const BuildInputs& inputs, const BaseLookup& base);

/// The reason the native backend cannot build this target, or nullopt when it can.
std::optional<std::string> native_unsupported(const Dockerfile& dockerfile, const BuildInputs& inputs);

}  // namespace kiln::plugin
