#include "plugin/settings_table.h"

namespace kiln::plugin {

// The executor flags drone-kaniko and woodpecker plugin-kaniko pass through 1:1.
std::vector<SettingSpec> kaniko_setting_specs() {
  return {
      {"dry_run", {"no_push"}, "false", "Build without pushing (natively too: into oci_layout_path / tar_path)"},
      {"push_only", {}, "false",
       "Push an image built earlier without building (drone-kaniko): source_tar_path, else tar_path, else oci_layout_path"},
      {"source_tar_path", {}, "", "Image tarball (docker-archive) pushed by push_only"},
      {"source_image", {}, "", "Image retagged and pushed by push_only (plugins/docker)"},
      {"tar_path", {"destination_tar_path"}, "", "Also write the image as a docker-save tarball here"},
      {"oci_layout_path", {}, "", "Also write the image as an OCI layout directory here"},
      {"cache", {"enable_cache"}, "false", "Use the executor's layer cache (kaniko --cache)"},
      {"cache_repo", {}, "", "Repository of the layer cache (kaniko --cache-repo)"},
      {"cache_ttl", {}, "", "Cache lifetime: hours as a number (drone-kaniko) or a duration like 24h"},
      {"cache_dir", {}, "", "Local base-image cache of the warmer (kaniko --cache-dir)"},
      {"cache_copy_layers", {}, "false", "Cache COPY layers too"},
      {"cache_run_layers", {}, "", "Cache RUN layers (executor default: true)"},
      {"compressed_caching", {}, "", "false saves memory on big layers (kaniko --compressed-caching)"},
      {"no_push_cache", {}, "false", "Do not push cache layers"},
      {"snapshot_mode", {}, "", "full, redo or time (kaniko --snapshot-mode)"},
      {"single_snapshot", {"squash"}, "false", "Take one snapshot at the end: the build's changes become one layer on the base's (plugins/docker squash); the executor only"},
      {"use_new_run", {}, "false", "Faster RUN detection by mtime (kaniko --use-new-run)"},
      {"reproducible", {}, "false", "Strip timestamps for reproducible digests"},
      {"cleanup", {}, "false", "Clean the filesystem after the build"},
      {"force", {}, "false", "Build even outside a container (kaniko --force)"},
      {"skip_unused_stages", {}, "false", "Build only the stages the target needs"},
      {"ignore_var_run", {}, "", "true or false: leave /var/run out of snapshots (executor default: true)"},
      {"ignore_path", {"ignore_paths"}, "", "Paths left out of snapshots"},
      {"push_retry", {}, "", "Push retries with exponential backoff"},
      {"image_download_retry", {}, "", "Base image download retries"},
      {"image_fs_extract_retry", {}, "", "Base image extraction retries"},
  };
}

}  // namespace kiln::plugin
