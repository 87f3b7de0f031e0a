#include "plugin/backend/native/native.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <map>

#include "core/elf.h"
#include "core/error.h"
#include "core/temp_dir.h"
#include "oci/image/append.h"
#include "oci/image/image_sink.h"
#include "oci/image/layer_push.h"
#include "oci/media_type.h"
#include "oci/sha256.h"
#include "plugin/backend/native/image_output.h"
#include "plugin/plan.h"

namespace kiln::plugin {
namespace {

std::string platform_list(const std::vector<oci::Platform>& platforms) {
  std::string out;
  for (const auto& p : platforms) out += (out.empty() ? "" : ", ") + p.to_string();
  return out;
}

// The platform a binary without an explicit one is for: its ELF machine, when it has one.
std::optional<std::string> binary_architecture(const PlatformBinary& binary) {
  auto elf = read_elf_identity(binary.path);
  if (!elf || elf->architecture.empty()) return std::nullopt;
  return elf->architecture;
}

// Which image of the base each binary goes on. An explicit platform must exist in the base;
// a bare binary goes on the single image, or on the index child its ELF machine names.
struct Target {
  const PlatformBinary* binary;
  std::optional<oci::Json> index_descriptor;  ///< set when the base is an index
};

std::vector<Target> match_binaries(const BuildPlan& plan, const oci::BaseImage& base) {
  std::vector<Target> targets;
  const auto available = base.platforms();
  for (const auto& binary : plan.binaries) {
    // A bare binary goes to the build's `platform` when one is set: it must not be ignored.
    std::optional<oci::Platform> wanted = binary.platform ? binary.platform : plan.platform;
    const auto arch = binary_architecture(binary);
    if (binary.platform && arch && *arch != binary.platform->architecture)
      throw_usage(fmt::format("setting binary: {} is an {} binary but is given for {}", binary.path.string(), *arch,
                              binary.platform->to_string()));
    // For the build's `platform`, the base is checked first: a platform it lacks is the fault to name.
    if (base.image && wanted && !wanted->satisfied_by(base.image->platform))
      throw_usage(fmt::format("base image {} has no {} image (it has {})", plan.base.to_string(), wanted->to_string(),
                              base.image->platform.to_string()));
    if (!base.image && wanted && !oci::select_platform(base.index_json, *wanted))
      throw_usage(fmt::format("base image {} has no {} image (it has {})", plan.base.to_string(), wanted->to_string(),
                              platform_list(available)));
    if (wanted && arch && *arch != wanted->architecture)
      throw_usage(fmt::format("setting platform: {} is an {} binary but the build is for {}", binary.path.string(),
                              *arch, wanted->to_string()));
    if (base.image) {
      const oci::Platform& have = base.image->platform;
      if (!wanted && arch && *arch != have.architecture)
        throw_usage(fmt::format("{} is an {} binary but base image {} is {}", binary.path.string(), *arch,
                                plan.base.to_string(), have.to_string()));
      targets.push_back(Target{.binary = &binary, .index_descriptor = std::nullopt});
      continue;
    }
    if (!wanted) {
      if (arch) wanted = oci::Platform{.os = "linux", .architecture = *arch, .variant = ""};
      else if (base.children.size() == 1) wanted = available.front();
      else
        throw_usage(fmt::format("cannot tell which platform of base image {} ({}) {} is for: name it, e.g. "
                                "binary: linux/amd64={}",
                                plan.base.to_string(), platform_list(available), binary.path.string(),
                                binary.path.string()));
    }
    auto descriptor = oci::select_platform(base.index_json, *wanted);
    if (!descriptor)
      throw_usage(fmt::format("base image {} has no {} image (it has {})", plan.base.to_string(), wanted->to_string(),
                              platform_list(available)));
    targets.push_back(Target{.binary = &binary, .index_descriptor = std::move(descriptor)});
  }
  return targets;
}

oci::LayerSpec app_layer_spec(const BuildPlan& plan, const PlatformBinary& binary) {
  return oci::LayerSpec{.entries = {oci::LayerEntry{.type = oci::LayerEntry::Type::file,
                                                    .path = plan.app_path,
                                                    .mode = 0755,
                                                    .source = binary.path,
                                                    .content = {},
                                                    .link_target = {}}},
                        .mtime = plan.source_date_epoch,
                        .compression = plan.compression};
}

oci::HistoryEntry app_history(const BuildPlan& plan, const PlatformBinary& binary) {
  return {.created_by = fmt::format("COPY {} {} # kiln", binary.path.filename().string(), plan.app_path),
          .comment = "kiln native build"};
}

// An unchanged rebuild: when the layer cache knows the new layer, the manifest can be computed
// without sending anything, and when every destination's tag already names that manifest the
// registry has every blob it names (it refuses manifests with missing blobs), so there is
// nothing to HEAD, mount or PUT. One image on a registry only; anything else takes the full path.
std::optional<BuildResult> already_pushed(const BuildPlan& plan, const oci::BaseImage& base,
                                          const std::vector<Target>& targets, const oci::LayerCache& cache,
                                          const oci::ConfigEdit& entrypoint, const ClientFor& client_for) {
  const ImageOutputs outputs = image_outputs(plan);
  if (!outputs.push || !outputs.oci_layout_path.empty() || !outputs.tar_path.empty()) return std::nullopt;
  if (targets.size() != 1 || targets.front().index_descriptor || !base.image) return std::nullopt;
  const Target& t = targets.front();
  const oci::LayerSpec spec = app_layer_spec(plan, *t.binary);
  // A binary whose hash is not remembered is new or rewritten: the full path compresses it
  // while its hash is still being read, rather than waiting for it here.
  const std::optional<oci::Digest> key = cache.key_if_ready(spec);
  if (!key) return std::nullopt;
  const std::optional<oci::PushedLayer> layer = oci::cached_layer(cache, *key, spec.compression.kind);
  if (!layer) return std::nullopt;
  const auto plan_sink = oci::planning_sink(cache, false);
  const oci::ImageAddition addition{.layers = {*layer},
                                    .history = {{.entry = app_history(plan, *t.binary), .empty_layer = false}}};
  const oci::NewManifest manifest =
      oci::append_layers(nullptr, plan.base, *base.image, *plan_sink, addition, entrypoint, plan.source_date_epoch);
  for (const oci::Reference& d : outputs.destinations)
    if (client_for(d.registry()).head_manifest(d.repository(), d.tag()) != manifest.digest) return std::nullopt;
  spdlog::info("{}: layer {} ({} bytes, already in the registry), manifest {}: every tag names it already, "
               "nothing pushed",
               base.image->platform.to_string(), layer->digest.to_string(), layer->size, manifest.digest.to_string());
  return BuildResult{.digest = manifest.digest, .media_type = manifest.media_type, .pushed = outputs.destinations};
}

}  // namespace

BuildResult NativeBackend::build(const BuildPlan& plan) {
  // One client per registry, shared by the base, the build and every destination.
  std::map<std::string, std::unique_ptr<oci::RegistryClient>> clients;
  const ClientFor client_for = [&](const std::string& registry) -> oci::RegistryClient& {
    auto& client = clients[registry];
    if (!client) {
      oci::RegistryOptions options = plan.access.options_for(registry);
      options.stop = control_.stop;
      client = std::make_unique<oci::RegistryClient>(registry, keychain_, options);
    }
    return *client;
  };
  oci::RegistryClient& base_client = client_for(plan.base.registry());
  std::optional<oci::LayerCache> cache;
  if (plan.layer_cache_dir) cache.emplace(*plan.layer_cache_dir);
  // The binaries are hashed (the cache key) while the base image is fetched, not after.
  if (cache)
    for (const PlatformBinary& binary : plan.binaries) cache->hash_ahead(app_layer_spec(plan, binary));

  const oci::BaseImage base = oci::fetch_base(base_client, plan.base);
  const std::vector<Target> targets = match_binaries(plan, base);
  control_.report({.kind = BuildEvent::Kind::base_resolved, .subject = plan.base.to_string(),
                   .digest = (base.image ? base.image->digest : base.index->digest).to_string()});
  const bool push_index = base.index && plan.binaries.front().platform.has_value();

  const oci::ConfigEdit entrypoint = [&](const oci::Json& config) {
    return with_labels(oci::with_entrypoint(config, plan.working_dir, {plan.app_path}), plan.labels);
  };
  if (cache && !push_index)
    if (auto unchanged = already_pushed(plan, base, targets, *cache, entrypoint, client_for)) return *unchanged;

  ImageOutput output(image_outputs(plan), client_for, control_);
  oci::ImageSink& sink = output.sink();
  const oci::BlobOrigin origin{.client = base_client, .repository = plan.base.repository()};
  TempDir scratch("kiln-build");
  std::vector<std::pair<oci::Json, oci::NewManifest>> children;
  for (std::size_t i = 0; i < targets.size(); ++i) {
    const Target& t = targets[i];
    const oci::ResolvedImage image =
        t.index_descriptor ? oci::resolve_child(base_client, plan.base, *t.index_descriptor) : *base.image;
    const oci::PushedLayer layer = sink.put_layer(app_layer_spec(plan, *t.binary),
                                                  scratch.path() / fmt::format("layer-{}", i), cache ? &*cache : nullptr);
    const oci::ImageAddition addition{.layers = {layer},
                                      .history = {{.entry = app_history(plan, *t.binary), .empty_layer = false}}};
    oci::NewManifest manifest = oci::append_layers(&origin, plan.base, image, sink, addition, entrypoint,
                                                   plan.source_date_epoch);
    control_.report({.kind = BuildEvent::Kind::layer_stored, .subject = image.platform.to_string(),
                     .digest = layer.digest.to_string(), .bytes = layer.size,
                     .uploaded = layer.uploaded == oci::Uploaded::yes});
    spdlog::info("{}: layer {} ({} bytes{}), manifest {}", image.platform.to_string(), layer.digest.to_string(),
                 layer.size, layer.uploaded == oci::Uploaded::yes ? ""
                 : sink.oci_only()                      ? ", already in the layout"
                                                        : ", already in the registry",
                 manifest.digest.to_string());
    children.emplace_back(t.index_descriptor.value_or(oci::Json::object()), std::move(manifest));
  }

  // Children are stored by digest first; the tags move only once everything they point at exists.
  oci::StoredImage stored;
  if (push_index) {
    for (const auto& [descriptor, manifest] : children) {
      sink.put_manifest("", manifest.media_type, manifest.bytes);
      stored.children.push_back({.media_type = manifest.media_type, .bytes = manifest.bytes});
    }
    oci::NewIndex index = oci::make_index(base, children);
    stored.top = {.media_type = std::move(index.media_type), .bytes = std::move(index.bytes)};
  } else {
    stored.top = {.media_type = children.front().second.media_type, .bytes = children.front().second.bytes};
  }
  BuildResult result = output.publish(stored);
  for (const auto& [descriptor, manifest] : children) {
    result.layers_uploaded += manifest.layers_uploaded;
    result.layer_bytes_uploaded += manifest.layer_bytes_uploaded;
    result.base_layers_copied += manifest.base_layers_copied;
  }
  return result;
}

}  // namespace kiln::plugin
