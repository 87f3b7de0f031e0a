#include "plugin/backend/native/push_only.h"

#include <spdlog/spdlog.h>

#include <map>

#include "oci/image/docker_archive.h"
#include "oci/image/image_copy.h"
#include "oci/media_type.h"
#include "plugin/backend/native/image_output.h"
#include "plugin/plan.h"

namespace kiln::plugin {
namespace {

using Clients = std::map<std::string, std::unique_ptr<oci::RegistryClient>>;

oci::RegistryClient& output_client(Clients& clients, const std::shared_ptr<const oci::Keychain>& keychain,
                                   const BuildPlan& plan, const std::string& registry) {
  auto& client = clients[registry];
  if (!client) client = std::make_unique<oci::RegistryClient>(registry, keychain, plan.access.options_for(registry));
  return *client;
}

}  // namespace

BuildResult push_existing_image(const BuildPlan& plan, std::shared_ptr<const oci::Keychain> keychain) {
  Clients clients;
  ImageOutputs outputs{.destinations = plan.destinations, .push = true, .oci_layout_path = {}, .tar_path = {}};
  ImageOutput output(outputs, [&](const std::string& registry) -> oci::RegistryClient& {
    return output_client(clients, keychain, plan, registry);
  });
  // The image's blobs go into the first destination; publish() spreads them from there.
  oci::StoredImage image;
  int copied = 0;
  if (plan.push_only_image) {
    const oci::Reference& from = *plan.push_only_image;
    spdlog::info("push_only: copying {}", from.to_string());
    oci::RegistryClient& client = output_client(clients, keychain, plan, from.registry());
    const oci::ManifestResponse top = client.get_manifest(from.repository(), from.identifier());
    image.top = {.media_type = top.media_type, .bytes = top.bytes};
    if (oci::media_type::is_index(top.media_type))
      for (const oci::Json& child : oci::parse_json(top.bytes, from.to_string()).value("manifests", oci::Json::array())) {
        const oci::ManifestResponse m = client.get_manifest(from.repository(), child.at("digest").get<std::string>());
        image.children.push_back({.media_type = m.media_type, .bytes = m.bytes});
      }
    copied = oci::copy_image_blobs(
        oci::ImageSource{.registry = oci::BlobOrigin{.client = client, .repository = from.repository()}, .layout = {}},
        image, output.sink());
  } else if (std::filesystem::is_directory(plan.push_only_source)) {
    spdlog::info("push_only: pushing OCI layout {}", plan.push_only_source.string());
    image = oci::read_layout_stored_image(plan.push_only_source, "");
    copied = oci::copy_image_blobs(oci::ImageSource{.registry = std::nullopt, .layout = plan.push_only_source}, image,
                                   output.sink());
  } else {
    spdlog::info("push_only: pushing docker-archive {}", plan.push_only_source.string());
    image = oci::read_docker_archive(plan.push_only_source, output.sink());
  }
  BuildResult result = output.publish(image);
  result.layers_uploaded = copied;
  result.backend = "push_only";
  return result;
}

}  // namespace kiln::plugin
