#pragma once
// The tags to push: explicit tags, the .tags file, or auto_tag from the git ref with the
// semantics of drone-docker's auto_tag (tag.go in github.com/drone-plugins/drone-docker). Every tag is validated before anything runs.
#include <filesystem>
#include <string>
#include <vector>

#include "plugin/ci_context.h"
#include "plugin/settings.h"

namespace kiln::plugin {

enum class TagAction { push, skip };

struct TagPlan {
  TagAction action = TagAction::push;
  std::vector<std::string> tags;  ///< push: at least one, each a valid tag
  std::string reason;             ///< skip: why nothing is built (the plugin exits 0)
  friend bool operator==(const TagPlan&, const TagPlan&) = default;
};

/// Resolution order:
///  1. `tags` when set; else the file `tags_file`, else `<dir>/.tags` if it exists (split on
///     commas and newlines, trimmed); else "latest".
///  2. `auto_tag`: tags from `ci` (see auto_tags); only "latest" may also be given explicitly.
///  3. `expand_tag`: every semver tag expands to major, major.minor, full.
/// Throws kiln::Error(usage) naming the setting for an invalid tag or conflicting settings.
TagPlan resolve_tags(const Settings& settings, const CiContext& ci, const std::filesystem::path& dir);

/// drone-docker auto_tag for `ci.ref`: the default branch gives "latest"; a tag v1.2.3 gives
/// 1, 1.2, 1.2.3 (0.x.y: no bare 0; pre-release or build metadata: the full version only, with
/// '+' written as '_' because '+' is not allowed in a tag, as Helm does). `suffix` is appended
/// with '-' ("latest" becomes the suffix). Another branch or a pull request: skip, or an error
/// when `fail_on_other_branch`. A tag that is not MAJOR.MINOR.PATCH is an error.
TagPlan auto_tags(const CiContext& ci, const std::string& suffix, bool fail_on_other_branch);

}  // namespace kiln::plugin
