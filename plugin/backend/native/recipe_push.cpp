#include "plugin/backend/native/recipe_push.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <map>

#include "core/error.h"
#include "core/temp_dir.h"
#include "oci/image/image_files.h"
#include "oci/image/layer_push.h"
#include "oci/layer/layer_cache.h"
#include "oci/sha256.h"
#include "plugin/backend/native/config_index.h"

namespace kiln::plugin {

struct BaseImages::State {
  std::shared_ptr<const oci::Keychain> keychain;
  RegistryAccess access;
  oci::Platform platform;
  std::stop_token stop;
  std::map<std::string, std::unique_ptr<oci::RegistryClient>> clients;
  std::map<std::string, oci::ResolvedImage> images;
  std::map<std::string, oci::FilesystemView> trees;
  std::map<std::pair<std::string, std::vector<std::string>>, std::vector<oci::LayerEntry>> files;
  TempDir extracted{"kiln-base-files"};
};

BaseImages::BaseImages(std::shared_ptr<const oci::Keychain> keychain, RegistryAccess access, oci::Platform platform,
                       std::stop_token stop)
    : state_(std::make_unique<State>()) {
  state_->keychain = std::move(keychain);
  state_->access = std::move(access);
  state_->platform = std::move(platform);
  state_->stop = std::move(stop);
}
BaseImages::~BaseImages() = default;

oci::RegistryClient& BaseImages::client_for(const std::string& registry) {
  auto& client = state_->clients[registry];
  if (!client) {
    oci::RegistryOptions options = state_->access.options_for(registry);
    options.stop = state_->stop;
    client = std::make_unique<oci::RegistryClient>(registry, state_->keychain, options);
  }
  return *client;
}

const oci::ResolvedImage& BaseImages::resolve(const oci::Reference& reference) {
  const std::string key = reference.to_string();
  if (auto it = state_->images.find(key); it != state_->images.end()) return it->second;
  oci::RegistryClient& client = client_for(reference.registry());
  oci::BaseImage base = oci::fetch_base(client, reference);
  if (base.image) return state_->images.emplace(key, std::move(*base.image)).first->second;
  auto descriptor = oci::select_platform(base.index_json, state_->platform);
  if (!descriptor) {
    std::string have;
    for (const auto& p : base.platforms()) have += (have.empty() ? "" : ", ") + p.to_string();
    throw_usage(fmt::format("base image {} has no {} image (it has {})", key, state_->platform.to_string(), have));
  }
  return state_->images.emplace(key, oci::resolve_child(client, reference, *descriptor)).first->second;
}

const oci::FilesystemView& BaseImages::tree(const oci::Reference& reference) {
  const std::string key = reference.to_string();
  if (auto it = state_->trees.find(key); it != state_->trees.end()) return it->second;
  const oci::ResolvedImage& image = resolve(reference);
  return state_->trees
      .emplace(key, oci::FilesystemView::of_image(client_for(reference.registry()), reference.repository(), image.manifest))
      .first->second;
}

std::vector<oci::LayerEntry> BaseImages::files(const oci::Reference& reference,
                                               const std::vector<std::string>& prefixes) {
  const auto key = std::make_pair(reference.to_string(), prefixes);
  if (auto it = state_->files.find(key); it != state_->files.end()) return it->second;
  const oci::ResolvedImage& image = resolve(reference);
  const auto into = state_->extracted.path() / std::to_string(state_->files.size());
  return state_->files
      .emplace(key, oci::extract_image_paths(client_for(reference.registry()), reference.repository(), image.manifest,
                                             prefixes, into))
      .first->second;
}

oci::Json merged_config(const oci::Json& base_config, const ImageRecipe& recipe) {
  oci::Json out = base_config;
  oci::Json& config = out["config"];
  if (!config.is_object()) config = oci::Json::object();
  for (auto it = recipe.config.begin(); it != recipe.config.end(); ++it) {
    const std::string& key = it.key();
    if (key == "Env") {
      oci::Json& env = config["Env"];
      EnvIndex index;
      for (const auto& item : *it) {
        const std::string& kv = item.get_ref<const std::string&>();
        const auto eq = kv.find('=');
        index.set(env, kv.substr(0, eq), eq == std::string::npos ? "" : kv.substr(eq + 1));
      }
    } else if (key == "Labels" || key == "ExposedPorts" || key == "Volumes") {
      oci::Json& target = config[key];
      FieldIndex index;
      for (auto field = it->begin(); field != it->end(); ++field) index.set(target, field.key(), field.value());
    } else {
      config[key] = *it;
    }
  }
  for (const std::string& key : recipe.unset)
    if (!recipe.config.contains(key)) config.erase(key);
  if (!recipe.author.empty()) out["author"] = recipe.author;
  return out;
}

oci::NewManifest store_recipe(const ImageRecipe& recipe, const RecipeTarget& target, BaseImages& bases,
                              oci::ImageSink& sink, const BuildControl& control) {
  const oci::ResolvedImage base = recipe.base ? bases.resolve(*recipe.base) : oci::scratch_image(target.platform);
  if (recipe.base)
    control.report({.kind = BuildEvent::Kind::base_resolved, .subject = recipe.base->to_string(),
                    .digest = base.digest.to_string()});

  TempDir scratch("kiln-build");
  std::optional<oci::LayerCache> cache;
  if (target.layer_cache_dir) cache.emplace(*target.layer_cache_dir);
  oci::ImageAddition addition;
  for (std::size_t i = 0; i < recipe.layers.size(); ++i) {
    oci::LayerSpec spec = recipe.layers[i].spec;
    spec.mtime = target.source_date_epoch;
    spec.compression = target.compression;
    addition.layers.push_back(sink.put_layer(spec, scratch.path() / fmt::format("layer-{}", i), cache ? &*cache : nullptr));
    const oci::PushedLayer& layer = addition.layers.back();
    control.report({.kind = BuildEvent::Kind::layer_stored, .subject = base.platform.to_string(),
                    .digest = layer.digest.to_string(), .bytes = layer.size,
                    .uploaded = layer.uploaded == oci::Uploaded::yes});
  }
  for (const RecipeStep& step : recipe.history)
    addition.history.push_back({.entry = step.history, .empty_layer = step.empty_layer});

  std::optional<oci::BlobOrigin> origin;
  if (recipe.base) origin.emplace(oci::BlobOrigin{.client = bases.client_for(recipe.base->registry()),
                                                  .repository = recipe.base->repository()});
  oci::NewManifest manifest = oci::append_layers(
      origin ? &*origin : nullptr, recipe.base, base, sink, addition,
      [&](const oci::Json& config) { return with_labels(merged_config(config, recipe), target.labels); },
      target.source_date_epoch);
  return manifest;
}

}  // namespace kiln::plugin
