#include "plugin/native/dockerfile_build.h"

#include <fmt/format.h>

#include <fstream>
#include <sstream>

#include "core/error.h"
#include "plugin/native/stage_interpreter.h"

namespace kiln::plugin {
namespace {

std::filesystem::path dockerfile_path(const DockerfileBuild& build) {
  return build.dockerfile.is_absolute() ? build.dockerfile : build.context / build.dockerfile;
}

BuildInputs inputs_of(const DockerfileBuild& build) {
  BuildInputs inputs{.context = build.context, .ignore = {}, .build_args = build.build_args,
                     .target = build.target_stage};
  std::ifstream ignore_file(build.context / ".dockerignore");
  if (ignore_file) {
    std::ostringstream text;
    text << ignore_file.rdbuf();
    inputs.ignore = DockerIgnore::parse(text.str());
  }
  return inputs;
}

}  // namespace

Dockerfile load_dockerfile(const DockerfileBuild& build) {
  const auto path = dockerfile_path(build);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw_usage(fmt::format("setting dockerfile: cannot read {}", path.string()));
  std::ostringstream text;
  text << in.rdbuf();
  return parse_dockerfile(text.str(), build.dockerfile.string());
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
  const ImageRecipe recipe = interpret(dockerfile, inputs_of(build), lookup);
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
