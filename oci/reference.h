#pragma once
// Image references as Docker normalises them: "alpine" is docker.io/library/alpine:latest,
// a first component with '.', ':' or equal to "localhost" is a registry host.
#include <compare>
#include <optional>
#include <string>
#include <string_view>

#include "oci/digest.h"

namespace kiln::oci {

class Reference {
 public:
  /// Parses and validates; throws kiln::Error(usage) saying which part is wrong and why.
  static Reference parse(std::string_view text);

  /// "docker.io", "127.0.0.1:5000", "ghcr.io".
  const std::string& registry() const { return registry_; }
  /// "library/alpine", "team/app".
  const std::string& repository() const { return repository_; }
  /// Empty when the reference is by digest only.
  const std::string& tag() const { return tag_; }
  const std::optional<Digest>& digest() const { return digest_; }

  /// What goes after /manifests/: the digest when there is one, else the tag.
  std::string identifier() const;
  /// The same repository with another tag (validated).
  Reference with_tag(std::string_view tag) const;
  /// The same repository pinned to a digest (tag kept for display).
  Reference with_digest(const Digest& digest) const;
  /// "registry/repository"
  std::string name() const { return registry_ + "/" + repository_; }
  /// Full form: registry/repository[:tag][@digest]; parse(to_string()) == *this.
  std::string to_string() const;

  friend auto operator<=>(const Reference&, const Reference&) = default;

 private:
  std::string registry_, repository_, tag_;
  std::optional<Digest> digest_;
};

/// Throws kiln::Error(usage) unless `tag` matches [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}.
void validate_tag(std::string_view tag);
/// Throws kiln::Error(usage) unless `repository` is a valid distribution repository path.
void validate_repository(std::string_view repository);
/// The host:port to connect to for a registry name ("docker.io" is served by registry-1.docker.io).
std::string registry_api_host(std::string_view registry);

}  // namespace kiln::oci
