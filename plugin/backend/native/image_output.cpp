#include "plugin/backend/native/image_output.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "core/error.h"
#include "core/stop.h"
#include "oci/image/docker_archive.h"
#include "oci/sha256.h"

namespace kiln::plugin {

ImageOutput::ImageOutput(ImageOutputs outputs, ClientFor client_for, BuildControl control)
    : outputs_(std::move(outputs)), client_for_(std::move(client_for)), control_(std::move(control)) {
  if (outputs_.destinations.empty()) throw_usage("no destination: set repo (and tags) or destinations");
  const bool local = !outputs_.push || !outputs_.oci_layout_path.empty() || !outputs_.tar_path.empty();
  if (!local) {
    const oci::Reference& first = outputs_.destinations.front();
    sink_ = oci::registry_sink(client_for_(first.registry()), first.repository(), control_.layer_watch());
    return;
  }
  if (outputs_.oci_layout_path.empty()) {
    staging_.emplace("kiln-layout");
    layout_ = staging_->path();
  } else {
    layout_ = outputs_.oci_layout_path;
  }
  sink_ = oci::layout_sink(layout_, control_.layer_watch());
}

BuildResult ImageOutput::publish(const oci::StoredImage& image) {
  BuildResult result{.digest = oci::Sha256::of(image.top.bytes), .media_type = image.top.media_type};
  stop_point(control_.stop, "publishing " + result.digest.to_string());
  if (!layout_.empty()) {
    for (const oci::Reference& d : outputs_.destinations) sink_->put_manifest(d.tag(), image.top.media_type, image.top.bytes);
    if (!outputs_.oci_layout_path.empty())
      spdlog::info("wrote the image to OCI layout {}", outputs_.oci_layout_path.string());
    if (!outputs_.tar_path.empty()) {
      std::vector<std::string> repo_tags;
      for (const oci::Reference& d : outputs_.destinations) repo_tags.push_back(d.to_string());
      oci::write_docker_archive(layout_, image.top, repo_tags, outputs_.tar_path);
      result.tar_path = outputs_.tar_path.string();
      spdlog::info("wrote the image to docker-archive {}", outputs_.tar_path.string());
    }
  }
  if (!outputs_.push) {
    spdlog::info("dry run: nothing pushed");
    return result;
  }
  // Blobs come from the layout, or from the repository the build pushed into (a mount inside
  // one registry, a copy to another).
  const oci::Reference& first = outputs_.destinations.front();
  oci::ImageSource source;
  if (layout_.empty()) source.registry.emplace(oci::BlobOrigin{.client = client_for_(first.registry()),
                                                                .repository = first.repository()});
  else source.layout = layout_;
  // Every destination gets every blob first; a stop is honoured until then, and no tag has moved.
  std::vector<std::unique_ptr<oci::ImageSink>> targets;
  for (const oci::Reference& d : outputs_.destinations) {
    targets.push_back(oci::registry_sink(client_for_(d.registry()), d.repository()));
    result.base_layers_copied += oci::copy_image_blobs(source, image, *targets.back());
  }
  stop_point(control_.stop, "tagging " + result.digest.to_string());
  for (std::size_t i = 0; i < targets.size(); ++i) {
    const oci::Reference& d = outputs_.destinations[i];
    targets[i]->put_manifest(d.tag(), image.top.media_type, image.top.bytes);  // checks the registry's digest
    result.pushed.push_back(d);
    control_.report({.kind = BuildEvent::Kind::reference_pushed, .subject = d.to_string(),
                     .digest = result.digest.to_string()});
  }
  return result;
}

}  // namespace kiln::plugin
