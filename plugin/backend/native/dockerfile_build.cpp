#include "plugin/backend/native/dockerfile_build.h"

#include <fmt/format.h>

#include <fstream>
#include <sstream>

#include "core/error.h"
#include "core/temp_dir.h"
#include "plugin/backend/native/stage_interpreter.h"
#include "plugin/dockerfile/limits.h"

namespace kiln::plugin {
namespace {

std::filesystem::path dockerfile_path(const DockerfileBuild& build) {
  return build.dockerfile.is_absolute() ? build.dockerfile : build.context / build.dockerfile;
}

// At most `limit` + 1 bytes, so the parser can say the file is too large without it all in
// memory. `what` names the file in messages.
std::string read_bounded(const std::filesystem::path& path, std::size_t limit, const std::string& what) {
  // A FIFO would block the build forever, a device never end.
  std::error_code ec;
  if (std::filesystem::exists(path, ec) && !std::filesystem::is_regular_file(path, ec))
    throw_usage(fmt::format("{}: {} is not a regular file", what, path.string()));
  std::ifstream in(path, std::ios::binary);
  if (!in) throw_usage(fmt::format("{}: cannot read {}", what, path.string()));
  std::string text(limit + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  return text;
}

BuildInputs inputs_of(const DockerfileBuild& build) {
  BuildInputs inputs{.context = build.context, .ignore = {}, .build_args = build.build_args,
                     .target = build.target_stage};
  const auto ignore_file = build.context / ".dockerignore";
  std::error_code ec;
  if (std::filesystem::exists(ignore_file, ec))
    inputs.ignore = DockerIgnore::parse(read_bounded(ignore_file, dockerfile_limits::kMaxDockerignoreBytes, ".dockerignore"));
  return inputs;
}

}  // namespace

Dockerfile load_dockerfile(const DockerfileBuild& build) {
  const auto path = dockerfile_path(build);
  return parse_dockerfile(read_bounded(path, dockerfile_limits::kMaxBytes, "setting dockerfile"),
                          build.dockerfile.string());
}

std::optional<std::string> why_not_native(const Dockerfile& dockerfile, const DockerfileBuild& build) {
  return native_unsupported(dockerfile, inputs_of(build));
}

BuildResult build_dockerfile_natively(const Dockerfile& dockerfile, const DockerfileBuild& build,
                                      std::shared_ptr<const oci::Keychain> keychain, const BuildControl& control) {
  BaseImages bases(std::move(keychain), build.push.access, build.push.platform, control.stop);
  const BaseLookup lookup{
      .env = [&](const oci::Reference& base) {
        std::vector<std::string> env;
        const oci::Json config = bases.resolve(base).config.value("config", oci::Json::object());
        for (const auto& item : config.value("Env", oci::Json::array()))
          if (item.is_string()) env.push_back(item.get<std::string>());
        return env;
      },
      .tree = [&](const oci::Reference& base) -> const oci::FilesystemView& { return bases.tree(base); },
      .files = [&](const oci::Reference& base, const std::vector<std::string>& prefixes) {
        return bases.files(base, prefixes);
      }};
  // What ADD unpacks from archives; the recipe's layers read it until they are stored.
  TempDir unpacked("kiln-add");
  BuildInputs inputs = inputs_of(build);
  inputs.scratch = unpacked.path();
  const ImageRecipe recipe = interpret(dockerfile, inputs, lookup);
  ImageOutput output(build.push.outputs, [&](const std::string& registry) -> oci::RegistryClient& {
    return bases.client_for(registry);
  }, control);
  const oci::NewManifest manifest = store_recipe(recipe, build.push, bases, output.sink(), control);
  BuildResult result = output.publish({.top = {.media_type = manifest.media_type, .bytes = manifest.bytes}, .children = {}});
  result.layers_uploaded = manifest.layers_uploaded;
  result.layer_bytes_uploaded = manifest.layer_bytes_uploaded;
  result.base_layers_copied += manifest.base_layers_copied;
  return result;
}

}  // namespace kiln::plugin
