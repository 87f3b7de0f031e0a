#include "oci/reference.h"

#include <fmt/format.h>
#include <re2/re2.h>

#include "core/error.h"

namespace kiln::oci {
namespace {

constexpr std::string_view docker_hub = "docker.io";

// Grammar from distribution/reference (reference.go).
const RE2& tag_pattern() {
  static const RE2 re("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
  return re;
}
const RE2& path_component_pattern() {
  static const RE2 re("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
  return re;
}
const RE2& host_pattern() {
  static const RE2 re(
      R"((?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:.]+\])(?::[0-9]+)?)");
  return re;
}

bool looks_like_registry(std::string_view component) {
  return component.find('.') != std::string_view::npos || component.find(':') != std::string_view::npos ||
         component == "localhost";
}

}  // namespace

void validate_tag(std::string_view tag) {
  if (tag.empty()) throw_usage("invalid tag '': a tag cannot be empty");
  if (tag.size() > 128) throw_usage(fmt::format("invalid tag '{}': longer than 128 characters", tag));
  if (!RE2::FullMatch(tag, tag_pattern()))
    throw_usage(fmt::format(
        "invalid tag '{}': a tag may contain only letters, digits, '_', '.' and '-', and cannot start with '.' or '-'",
        tag));
}

void validate_repository(std::string_view repository) {
  if (repository.empty()) throw_usage("invalid repository '': the repository name is empty");
  if (repository.size() > 255)
    throw_usage(fmt::format("invalid repository '{}': longer than 255 characters", repository));
  std::size_t start = 0;
  while (true) {
    auto slash = repository.find('/', start);
    std::string_view component = repository.substr(start, slash == std::string_view::npos ? slash : slash - start);
    if (!RE2::FullMatch(component, path_component_pattern())) {
      bool upper = false;
      for (char c : component) upper |= (c >= 'A' && c <= 'Z');
      throw_usage(fmt::format("invalid repository '{}': component '{}' {}", repository, component,
                              upper ? "must be lowercase"
                                    : "may contain only lowercase letters, digits and single '.', '_', '__' or "
                                      "'-' separators between them"));
    }
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
}

std::string registry_api_host(std::string_view registry) {
  if (registry == docker_hub || registry == "index.docker.io") return "registry-1.docker.io";
  return std::string(registry);
}

Reference Reference::parse(std::string_view text) {
  if (text.empty()) throw_usage("invalid image reference '': it is empty");
  if (text.find_first_of(" \t\r\n") != std::string_view::npos)
    throw_usage(fmt::format("invalid image reference '{}': it contains white space", text));
  Reference ref;
  std::string_view rest = text;
  if (auto at = rest.find('@'); at != std::string_view::npos) {
    ref.digest_ = Digest::parse(rest.substr(at + 1));
    rest = rest.substr(0, at);
  }
  // A tag is after the last ':' that comes after the last '/' (a ':' before it is a port).
  auto last_slash = rest.rfind('/');
  auto colon = rest.rfind(':');
  if (colon != std::string_view::npos && (last_slash == std::string_view::npos || colon > last_slash)) {
    ref.tag_ = std::string(rest.substr(colon + 1));
    validate_tag(ref.tag_);
    rest = rest.substr(0, colon);
  }
  auto first_slash = rest.find('/');
  if (first_slash != std::string_view::npos && looks_like_registry(rest.substr(0, first_slash))) {
    ref.registry_ = std::string(rest.substr(0, first_slash));
    if (!RE2::FullMatch(ref.registry_, host_pattern()))
      throw_usage(fmt::format("invalid image reference '{}': '{}' is not a valid registry host[:port]", text,
                              ref.registry_));
    ref.repository_ = std::string(rest.substr(first_slash + 1));
  } else {
    ref.registry_ = std::string(docker_hub);
    ref.repository_ = std::string(rest);
  }
  if (ref.registry_ == "index.docker.io" || ref.registry_ == "registry-1.docker.io") ref.registry_ = docker_hub;
  if (ref.registry_ == docker_hub && ref.repository_.find('/') == std::string::npos)
    ref.repository_ = "library/" + ref.repository_;
  try {
    validate_repository(ref.repository_);
  } catch (const Error& e) {
    throw_usage(fmt::format("invalid image reference '{}': {}", text, e.what()));
  }
  if (ref.tag_.empty() && !ref.digest_) ref.tag_ = "latest";
  return ref;
}

std::string Reference::identifier() const { return digest_ ? digest_->to_string() : tag_; }

Reference Reference::with_tag(std::string_view tag) const {
  validate_tag(tag);
  Reference r = *this;
  r.tag_ = std::string(tag);
  r.digest_.reset();
  return r;
}

Reference Reference::with_digest(const Digest& digest) const {
  Reference r = *this;
  r.digest_ = digest;
  return r;
}

std::string Reference::to_string() const {
  std::string s = name();
  if (!tag_.empty()) s += ":" + tag_;
  if (digest_) s += "@" + digest_->to_string();
  return s;
}

}  // namespace kiln::oci
