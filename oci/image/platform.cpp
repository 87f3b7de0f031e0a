#include "oci/image/platform.h"

#include <fmt/format.h>

#include "core/error.h"

namespace kiln::oci {

Platform Platform::parse(std::string_view text) {
  Platform p;
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    auto slash = text.find('/', start);
    parts.emplace_back(text.substr(start, slash == std::string_view::npos ? slash : slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  bool empty_part = false;
  for (const auto& part : parts) empty_part |= part.empty();
  if (parts.size() < 2 || parts.size() > 3 || empty_part)
    throw_usage(fmt::format("invalid platform '{}': expected os/architecture[/variant], e.g. linux/arm64", text));
  p.os = parts[0];
  p.architecture = parts[1];
  if (parts.size() == 3) p.variant = parts[2];
  return p;
}

Platform Platform::from_descriptor(const Json& descriptor) {
  Platform p{.os = "linux", .architecture = "amd64", .variant = ""};
  if (auto it = descriptor.find("platform"); it != descriptor.end() && it->is_object()) {
    p.os = it->value("os", "");
    p.architecture = it->value("architecture", "");
    p.variant = it->value("variant", "");
  }
  return p;
}

Platform Platform::from_config(const Json& config) {
  return Platform{.os = config.value("os", "linux"),
                  .architecture = config.value("architecture", ""),
                  .variant = config.value("variant", "")};
}

std::string Platform::to_string() const {
  return variant.empty() ? os + "/" + architecture : os + "/" + architecture + "/" + variant;
}

bool Platform::satisfied_by(const Platform& candidate) const {
  if (os != candidate.os || architecture != candidate.architecture) return false;
  return variant.empty() || variant == candidate.variant;
}

bool is_attestation(const Json& descriptor) {
  const Platform p = Platform::from_descriptor(descriptor);
  if (p.os == "unknown" || p.architecture == "unknown") return true;
  auto annotations = descriptor.find("annotations");
  return annotations != descriptor.end() && annotations->is_object() &&
         annotations->value("vnd.docker.reference.type", "") == "attestation-manifest";
}

std::optional<Json> select_platform(const Json& index, const Platform& wanted) {
  auto manifests = index.find("manifests");
  if (manifests == index.end() || !manifests->is_array()) return std::nullopt;
  for (const Json& descriptor : *manifests) {
    if (is_attestation(descriptor)) continue;
    if (wanted.satisfied_by(Platform::from_descriptor(descriptor))) return descriptor;
  }
  return std::nullopt;
}

}  // namespace kiln::oci
