#include "verify/cli/image_selection.h"

#include <fmt/format.h>

#include <sstream>

#include "core/error.h"
#include "core/log.h"
#include "core/read_file.h"
#include "core/text.h"
#include "oci/credentials/docker_config.h"
#include "oci/credentials/layered_keychain.h"
#include "oci/image/image_document.h"
#include "oci/image/layout_image.h"
#include "oci/reference.h"
#include "verify/cli/image_archive.h"

namespace kiln::verify {
namespace {

// A digest file or kiln-plugin's dotenv output: a few lines.
constexpr std::size_t max_setting_file_bytes = 1 << 20;

std::string read_setting_file(const std::string& setting, const std::string& path) {
  auto text = read_file(path, max_setting_file_bytes, "setting " + setting + ":");
  if (!text) throw_usage(fmt::format("setting {}: cannot read {}", setting, path));
  return std::move(*text);
}

std::string first_line(const std::string& setting, const std::string& path) {
  std::istringstream lines(read_setting_file(setting, path));
  for (std::string line; std::getline(lines, line);)
    if (auto t = std::string(trim(line)); !t.empty()) return t;
  throw_usage(fmt::format("setting {}: {} is empty", setting, path));
}

std::string dotenv_value(const std::string& setting, const std::string& path, const std::string& key) {
  std::istringstream lines(read_setting_file(setting, path));
  for (std::string line; std::getline(lines, line);) {
    const std::string t = std::string(trim(line));
    if (t.starts_with(key + "=")) return std::string(trim(t.substr(key.size() + 1)));
  }
  throw_usage(fmt::format("setting {}: {} has no {}= line", setting, path, key));
}

std::vector<oci::Platform> wanted_platforms(const Settings& settings) {
  std::vector<oci::Platform> out;
  for (const auto& text : settings.get_list("platform")) {
    try {
      out.push_back(oci::Platform::parse(text));
    } catch (const Error& e) {
      throw_usage(fmt::format("setting platform: {}", e.what()));
    }
  }
  return out;
}

bool is_wanted(const std::vector<oci::Platform>& wanted, const oci::Platform& platform) {
  if (wanted.empty()) return true;
  for (const auto& w : wanted)
    if (w.satisfied_by(platform)) return true;
  return false;
}

// Explicit settings first, then GitLab's registry login, then docker config (the document in
// docker_config_json, else DOCKER_CONFIG / ~/.docker/config.json).
std::shared_ptr<const oci::Keychain> make_keychain(const Settings& settings, const Env& env, const std::string& registry) {
  std::map<std::string, oci::Credential> explicit_credentials;
  if (auto user = env.get("CI_REGISTRY_USER"), password = env.get("CI_REGISTRY_PASSWORD"), host = env.get("CI_REGISTRY");
      user && password && host) {
    log::add_secret(*password);
    explicit_credentials[*host] = {.username = *user, .password = *password};
  }
  if (settings.has("username") || settings.has("password")) {
    const std::string host = settings.has("registry") ? settings.get("registry") : registry;
    explicit_credentials[host] = {.username = settings.get("username"), .password = settings.get("password")};
  }
  std::shared_ptr<const oci::Keychain> fallback;
  if (settings.has("docker_config_json")) {
    const oci::Json doc = oci::Json::parse(settings.get("docker_config_json"), nullptr, false);
    if (doc.is_discarded() || !doc.is_object())
      throw_usage("setting docker_config_json: not a JSON object (the value is not shown: it holds credentials)");
    fallback = std::make_shared<oci::DockerConfigKeychain>(doc, "setting docker_config_json");
  } else {
    fallback = std::make_shared<oci::DockerConfigKeychain>(oci::DockerConfigKeychain::from_env(env));
  }
  return std::make_shared<oci::LayeredKeychain>(std::move(explicit_credentials), std::move(fallback));
}

oci::RegistryOptions registry_options(const Settings& settings) {
  oci::RegistryOptions options;
  options.insecure = settings.get_bool("insecure");
  options.ca_file = settings.get("registry_certificate");
  options.timeout = settings.get_duration("registry_timeout");
  return options;
}

}  // namespace

ImageSelection select_layout_images(const std::filesystem::path& layout, const std::string& reference,
                                    const std::vector<oci::Platform>& wanted) {
  const std::string directory = layout.string();
  ImageSelection selection{.reference = reference.empty() ? "oci:" + directory : reference};
  auto blobs = oci::layout_blob_reader(directory);
  // With a reference, the layout entry annotated with its tag (skopeo's oci:dir:tag).
  std::string ref_name;
  if (!reference.empty()) ref_name = oci::Reference::parse(reference).tag();
  const auto descriptors = oci::layout_manifest_descriptors(directory, ref_name);
  for (const auto& descriptor : descriptors) {
    oci::ResolvedImage image = oci::read_layout_image(*blobs, descriptor);
    if (!is_wanted(wanted, image.platform)) continue;
    const std::string pinned = "oci:" + directory + "@" + image.digest.to_string();
    selection.images.push_back({.reference = selection.reference, .pinned = pinned, .image = std::move(image), .blobs = blobs});
  }
  if (descriptors.size() == 1) selection.digest = selection.images.empty() ? "" : selection.images.front().image.digest.to_string();
  return selection;
}

namespace {

// CST's --image-from-oci-layout: it loads the layout's one image into Docker under its ref name
// annotation, or --default-image-tag, and refuses everything else with these messages.
ImageSelection select_from_cst_layout(const Settings& settings) {
  const std::string directory = settings.get("image_from_oci_layout");
  if (settings.has("image")) throw_usage("settings image and image_from_oci_layout exclude each other (as in CST)");
  if (settings.get_bool("pull")) throw_usage("settings image_from_oci_layout and pull exclude each other (as in CST)");
  const auto text = read_file(std::filesystem::path(directory) / "index.json", oci::kMaxDocumentBytes,
                              "setting image_from_oci_layout:");
  if (!text) throw_usage(fmt::format("setting image_from_oci_layout: {} is not an OCI layout (no index.json)", directory));
  const oci::Json index = oci::Json::parse(*text, nullptr, false);
  if (!index.is_object() || !index.contains("manifests") || !index["manifests"].is_array())
    throw_usage(fmt::format("setting image_from_oci_layout: {}/index.json is not an OCI index", directory));
  const oci::Json& manifests = index["manifests"];
  if (manifests.size() != 1)
    throw_usage(fmt::format("setting image_from_oci_layout: OCI layout contains {} entries. expected only one",
                            manifests.size()));
  const oci::Json& descriptor = manifests[0];
  const std::string media_type = descriptor.value("mediaType", std::string());
  if (media_type.find("index") != std::string::npos || media_type.find("manifest.list") != std::string::npos)
    throw_usage("setting image_from_oci_layout: multi-arch images are not supported yet (as in CST; use oci_layout "
                "to verify every platform)");
  std::string ref;
  if (descriptor.contains("annotations") && descriptor["annotations"].is_object())
    ref = descriptor["annotations"].value(oci::kRefNameAnnotation, std::string());
  std::string name = ref;
  if (ref.empty() || settings.get_bool("ignore_ref_annotation")) {
    if (!settings.has("default_image_tag"))
      throw_usage("setting image_from_oci_layout: index does not contain a reference annotation. "
                  "--default-image-tag must be provided.");
    name = settings.get("default_image_tag");
    try {
      (void)oci::Reference::parse(name);
    } catch (const Error& e) {
      throw_usage(fmt::format("setting default_image_tag: {}", e.what()));
    }
  }
  ImageSelection selection = select_layout_images(directory, "", wanted_platforms(settings));  // its only entry
  selection.reference = name;
  for (auto& image : selection.images) image.reference = name;
  return selection;
}

}  // namespace

std::string image_reference_text(const Settings& settings) {
  if (settings.has("image_file")) return first_line("image_file", settings.get("image_file"));
  if (settings.has("dotenv_file")) return dotenv_value("dotenv_file", settings.get("dotenv_file"), "IMAGE_REF");
  std::string image = settings.get("image");
  if (settings.has("digest_file")) {
    if (image.empty()) throw_usage("setting digest_file: needs setting image (the repository the digest belongs to)");
    const std::string digest = std::string(trim(read_setting_file("digest_file", settings.get("digest_file"))));
    try {
      return oci::Reference::parse(image).with_digest(oci::Digest::parse(digest)).to_string();
    } catch (const Error& e) {
      throw_usage(fmt::format("setting digest_file: {}", e.what()));
    }
  }
  if (image.empty() && !settings.has("oci_layout") && !settings.has("image_from_oci_layout"))
    throw_usage("setting image is required (or digest_file with image, image_file, dotenv_file, oci_layout, "
                "image_from_oci_layout)");
  return image;
}

ImageSelection select_images(const Settings& settings, const Env& env) {
  const oci::RegistryOptions options = registry_options(settings);  // a bad value fails whatever the source
  const std::string text = image_reference_text(settings);
  if (settings.has("image_from_oci_layout")) return select_from_cst_layout(settings);
  if (settings.has("oci_layout")) return select_layout_images(settings.get("oci_layout"), text, wanted_platforms(settings));
  // CST's `--image image.tar`: a docker-archive or OCI archive on disk.
  if (!text.empty() && is_image_archive(text)) {
    auto unpacked = std::make_shared<TempDir>("kiln-verify-archive");
    layout_from_image_archive(text, unpacked->path() / "layout");
    ImageSelection selection = select_layout_images(unpacked->path() / "layout", "", wanted_platforms(settings));
    selection.reference = text;
    for (auto& image : selection.images) image.reference = text;
    selection.unpacked = std::move(unpacked);
    return selection;
  }
  oci::Reference reference = [&] {
    try {
      return oci::Reference::parse(text);
    } catch (const Error& e) {
      throw_usage(fmt::format("setting image: {}", e.what()));
    }
  }();
  auto client = std::make_unique<oci::RegistryClient>(reference.registry(),
                                                      make_keychain(settings, env, reference.registry()), options);
  return select_registry_images(reference, text, std::move(client), wanted_platforms(settings));
}

ImageSelection select_registry_images(const oci::Reference& reference, const std::string& text,
                                      std::unique_ptr<oci::RegistryClient> client,
                                      const std::vector<oci::Platform>& wanted) {
  ImageSelection selection{.reference = text};
  selection.client = std::move(client);
  oci::BaseImage top = oci::fetch_base(*selection.client, reference);
  auto blobs = oci::registry_blob_reader(*selection.client, reference.repository());
  auto add = [&](oci::ResolvedImage image) {
    const std::string pinned = reference.registry() + "/" + reference.repository() + "@" + image.digest.to_string();
    selection.images.push_back({.reference = text, .pinned = pinned, .image = std::move(image), .blobs = blobs});
  };
  if (top.image) {
    selection.digest = top.image->digest.to_string();
    if (!is_wanted(wanted, top.image->platform))
      throw_usage(fmt::format("setting platform: {} is {} only", text, top.image->platform.to_string()));
    add(std::move(*top.image));
    return selection;
  }
  selection.digest = top.index->digest.to_string();
  for (const auto& child : top.children)
    if (is_wanted(wanted, oci::Platform::from_descriptor(child))) add(oci::resolve_child(*selection.client, reference, child));
  if (selection.images.empty()) {
    std::string have;
    for (const auto& p : top.platforms()) have += (have.empty() ? "" : ", ") + p.to_string();
    throw_usage(fmt::format("setting platform: {} has no such platform (it has {})", text, have));
  }
  return selection;
}

}  // namespace kiln::verify
