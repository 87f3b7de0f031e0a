#include "plugin/tags.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>

#include "core/error.h"
#include "core/read_file.h"
#include "core/text.h"
#include "oci/reference.h"

namespace kiln::plugin {
namespace {

struct Semver {
  std::string major, minor, patch;  ///< as written: "18.06.0" keeps its zero padding
  std::string pre_release, metadata;
};

bool all_digits(std::string_view s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
}

// MAJOR.MINOR.PATCH[-pre][+meta] after an optional 'v' (coreos/go-semver as drone-docker uses it).
std::optional<Semver> parse_semver(std::string_view text) {
  if (text.starts_with('v')) text.remove_prefix(1);
  Semver v;
  if (auto plus = text.find('+'); plus != std::string_view::npos) {
    v.metadata = std::string(text.substr(plus + 1));
    if (v.metadata.empty()) return std::nullopt;
    text = text.substr(0, plus);
  }
  if (auto dash = text.find('-'); dash != std::string_view::npos) {
    v.pre_release = std::string(text.substr(dash + 1));
    if (v.pre_release.empty()) return std::nullopt;
    text = text.substr(0, dash);
  }
  const auto dot1 = text.find('.'), dot2 = text.find('.', dot1 == std::string_view::npos ? dot1 : dot1 + 1);
  if (dot1 == std::string_view::npos || dot2 == std::string_view::npos) return std::nullopt;
  v.major = std::string(text.substr(0, dot1));
  v.minor = std::string(text.substr(dot1 + 1, dot2 - dot1 - 1));
  v.patch = std::string(text.substr(dot2 + 1));
  if (!all_digits(v.major) || !all_digits(v.minor) || !all_digits(v.patch)) return std::nullopt;
  return v;
}

std::string full(const Semver& v) {
  std::string out = v.major + "." + v.minor + "." + v.patch;
  if (!v.pre_release.empty()) out += "-" + v.pre_release;
  if (!v.metadata.empty()) out += "_" + v.metadata;
  return out;
}

// `bare_zero`: whether 0.9.0 also gives "0" (x/mod/semver in expand_tag does, drone-docker not).
std::vector<std::string> expand(const Semver& v, bool bare_zero) {
  if (!v.pre_release.empty() || !v.metadata.empty()) return {full(v)};
  std::vector<std::string> out;
  if (v.major != "0" || bare_zero) out.push_back(v.major);
  out.push_back(v.major + "." + v.minor);
  out.push_back(full(v));
  return out;
}

// A .tags file holds a few tags; one that does not is not a tags file.
constexpr std::size_t max_tags_file_bytes = 1 << 20;

// Tags from the settings or a file, and which setting they came from (for messages).
std::vector<std::string> given_tags(const Settings& settings, const std::filesystem::path& dir, std::string* source) {
  *source = "tags";
  if (settings.has("tags")) return settings.get_list("tags", ",\n");
  std::filesystem::path file = dir / ".tags";
  if (settings.has("tags_file")) file = dir / settings.get("tags_file"), *source = "tags_file";
  else if (!std::filesystem::exists(file)) return {};
  const auto text = read_file(file, max_tags_file_bytes, "setting " + *source + ":");
  if (!text) throw_usage(fmt::format("setting {}: cannot read {}", *source, file.string()));
  *source = *source == "tags" ? ".tags file" : *source;
  return split_trimmed(*text, ",\n");
}

}  // namespace

TagPlan auto_tags(const CiContext& ci, const std::string& suffix, bool fail_on_other_branch) {
  TagPlan plan;
  if (ci.ref.starts_with("refs/tags/") || (ci.ref.empty() && !ci.tag.empty())) {
    const std::string tag = ci.ref.starts_with("refs/tags/") ? ci.ref.substr(10) : ci.tag;
    auto v = parse_semver(tag);
    if (!v)
      throw_usage(fmt::format("setting auto_tag: git tag '{}' is not a semantic version MAJOR.MINOR.PATCH; "
                              "set tags instead",
                              tag));
    plan.tags = expand(*v, false);
  } else if (!ci.default_branch.empty() && ci.ref == "refs/heads/" + ci.default_branch) {
    plan.tags = {"latest"};
  } else {
    const std::string why =
        ci.ref.empty() ? "no git ref is known (not running in Drone, Woodpecker or GitLab CI)"
        : ci.default_branch.empty()
            ? fmt::format("the default branch is unknown, so {} cannot be matched", ci.ref)
            : fmt::format("{} is neither a tag nor the default branch {}", ci.ref, ci.default_branch);
    if (fail_on_other_branch) throw_usage(fmt::format("setting auto_tag: {}", why));
    return TagPlan{.action = TagAction::skip, .tags = {},
                   .reason = fmt::format("auto_tag: {}; nothing to build (auto_tag_fail_on_other_branch "
                                         "makes this an error)",
                                         why)};
  }
  if (!suffix.empty())
    for (auto& t : plan.tags) t = t == "latest" ? suffix : t + "-" + suffix;
  return plan;
}

TagPlan resolve_tags(const Settings& settings, const CiContext& ci, const std::filesystem::path& dir) {
  std::string source;
  std::vector<std::string> tags = given_tags(settings, dir, &source);
  TagPlan plan;
  if (settings.get_bool("auto_tag")) {
    if (settings.get_bool("expand_tag")) throw_usage("setting auto_tag: cannot be combined with expand_tag");
    for (const auto& t : tags)
      if (t != "latest")
        throw_usage(fmt::format("setting auto_tag: cannot be combined with {} '{}' (only latest)", source, t));
    plan = auto_tags(ci, settings.get("auto_tag_suffix"), settings.get_bool("auto_tag_fail_on_other_branch"));
    if (plan.action == TagAction::skip) return plan;
    source = "auto_tag";
  } else {
    if (tags.empty()) tags = {"latest"};
    if (settings.get_bool("expand_tag")) {
      for (const auto& t : tags) {
        const auto v = parse_semver(t);
        for (const auto& e : v ? expand(*v, true) : std::vector<std::string>{t}) plan.tags.push_back(e);
      }
    } else {
      plan.tags = tags;
    }
  }
  std::vector<std::string> unique;
  for (const auto& t : plan.tags) {
    try {
      oci::validate_tag(t);
    } catch (const Error& e) {
      throw_usage(fmt::format("setting {}: {}", source, e.what()));
    }
    if (std::find(unique.begin(), unique.end(), t) == unique.end()) unique.push_back(t);
  }
  plan.tags = unique;
  return plan;
}

}  // namespace kiln::plugin
