#include "plugin/drone_card.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <array>

#include "core/base64.h"
#include "oci/image/config_edit.h"
#include "oci/image/platform.h"
#include "oci/registry/client.h"
#include "plugin/outputs.h"
#include "plugin/plan.h"

namespace kiln::plugin {
namespace {

std::string repository_with_registry(const oci::Reference& ref) {
  return (ref.registry() == "docker.io" ? std::string("index.docker.io") : ref.registry()) + "/" + ref.repository();
}

// plugins/docker links the card to the repository's page on the registries it knows, else Docker
// Hub (with path.Join collapsing "https://" to "https:/"). kiln links the known ones the same way,
// without the collapsed slash, and any other registry to https://<registry>/<repository>.
std::string repository_page(const oci::Reference& ref) {
  const std::string& registry = ref.registry();
  if (registry.find("amazonaws.com") != std::string::npos) return "https://gallery.ecr.aws/" + ref.repository();
  if (registry.find("gcr.io") != std::string::npos)
    return "https://console.cloud.google.com/gcr/images/" + ref.repository();
  if (registry == "docker.io") return "https://hub.docker.com/r/" + ref.repository();
  return "https://" + registry + "/" + ref.repository();
}

}  // namespace

std::string go_bytesize(std::int64_t bytes) {
  static constexpr std::array<const char*, 7> kUnits{"B", "KB", "MB", "GB", "TB", "PB", "EB"};
  double value = static_cast<double>(bytes);
  std::size_t unit = 0;
  while (unit + 1 < kUnits.size() && value >= 1024.0) {
    value /= 1024.0;
    ++unit;
  }
  return fmt::format("{:.2f}{}", value, kUnits[unit]);
}

std::string drone_card_json(const BuildResult& result, const oci::ResolvedImage& image,
                            std::chrono::system_clock::time_point tagged) {
  std::int64_t size = 0;
  for (const auto& layer : image.manifest.value("layers", oci::Json::array())) size += layer.value("size", std::int64_t{0});
  oci::Json tags = oci::Json::array(), parsed_tags = oci::Json::array(), digests = oci::Json::array();
  for (const auto& ref : result.pushed) {
    const std::string tag = repository_with_registry(ref) + ":" + ref.tag();
    tags.push_back(tag);
    parsed_tags.push_back({{"Tag", tag}});
    const std::string by_digest = repository_with_registry(ref) + "@" + result.digest.to_string();
    if (std::find(digests.begin(), digests.end(), by_digest) == digests.end()) digests.push_back(by_digest);
  }
  const std::string tagged_at =
      oci::rfc3339_utc(std::chrono::duration_cast<std::chrono::seconds>(tagged.time_since_epoch()).count());
  const oci::Json& config = image.config;
  const oci::Json data{
      {"Id", image.manifest.at("config").value("digest", "")},
      {"RepoTags", tags},
      {"ParsedRepoTags", parsed_tags},
      {"RepoDigests", digests},
      {"Parent", ""},
      {"Comment", config.value("comment", "")},
      {"Created", config.value("created", "0001-01-01T00:00:00Z")},
      {"Container", ""},
      {"DockerVersion", config.value("docker_version", "")},
      {"Author", config.value("author", "")},
      {"Architecture", config.value("architecture", "")},
      {"Os", config.value("os", "")},
      {"Size", size},
      {"VirtualSize", size},
      {"Metadata", {{"LastTagTime", tagged_at}}},
      {"SizeString", go_bytesize(size)},
      {"VirtualSizeString", go_bytesize(size)},
      {"Time", tagged_at},
      {"URL", result.pushed.empty() ? "" : repository_page(result.pushed.front())},
  };
  return oci::Json{{"schema", kDroneCardSchema}, {"data", data}}.dump();
}

std::string drone_card_output(const std::string& path, const std::string& card_json) {
  if (path == "/dev/stdout" || path == "/dev/stderr") return "\x1b]1338;" + base64(card_json) + "\x1b]0m\n";
  return card_json;
}

void write_drone_card(const std::string& path, const BuildResult& result, const BuildPlan& plan,
                      std::shared_ptr<const oci::Keychain> keychain) {
  if (path.empty() || result.pushed.empty()) return;
  const oci::Reference& first = result.pushed.front();
  try {
    oci::RegistryClient client(first.registry(), std::move(keychain), plan.access.options_for(first.registry()));
    const oci::Reference by_digest = first.with_digest(result.digest);
    const oci::BaseImage pushed = oci::fetch_base(client, by_digest);
    const oci::ResolvedImage image = pushed.image ? *pushed.image
                                     : pushed.children.empty()
                                         ? throw std::runtime_error("the pushed index lists no image")
                                         : oci::resolve_child(client, by_digest, pushed.children.front());
    const std::string card = drone_card_json(result, image, std::chrono::system_clock::now());
    if (path == "/dev/stdout" || path == "/dev/stderr") {
      std::fputs(drone_card_output(path, card).c_str(), path == "/dev/stdout" ? stdout : stderr);
      std::fflush(path == "/dev/stdout" ? stdout : stderr);
    } else {
      write_output(path, drone_card_output(path, card), "card_path");
    }
  } catch (const std::exception& e) {
    spdlog::warn("could not write the Drone card to {} (the build succeeded): {}", path, e.what());
  }
}

}  // namespace kiln::plugin
