#include "plugin/settings_table.h"

namespace kiln::plugin {

std::vector<SettingSpec> tag_setting_specs() {
  return {
      {"tags", {"tag"}, "latest", "Tags to push (comma or newline separated, or a JSON array); unset: the .tags file, else latest"},
      {"tags_file", {}, "", "File holding the tags (comma or newline separated), read when tags is unset (default .tags if it exists)"},
      {"auto_tag", {"default_tags"}, "false", "Tags from the git ref: default branch -> latest, tag v1.2.3 -> 1, 1.2, 1.2.3"},
      {"auto_tag_suffix", {"default_suffix"}, "", "Suffix appended to every auto tag with '-' (latest becomes the suffix)"},
      {"auto_tag_fail_on_other_branch", {}, "false", "With auto_tag, fail (instead of skipping the build with exit 0) on a branch that is not the default one"},
      {"expand_tag", {}, "false", "Expand semver tags in tags: v1.2.3 -> 1, 1.2, 1.2.3 (drone-kaniko)"},
  };
}

}  // namespace kiln::plugin
