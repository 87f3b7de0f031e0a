#pragma once
// Image labels: custom_labels from the settings, plus the standard OCI annotations
// (org.opencontainers.image.{created,revision,source,url}) from the CI context unless
// auto_label is false. Both backends apply the same map, so an image gets the same labels
// whoever built it.
#include <cstdint>
#include <map>
#include <string>

#include "oci/json.h"
#include "plugin/ci_context.h"
#include "plugin/settings.h"

namespace kiln::plugin {

using Labels = std::map<std::string, std::string>;

/// The labels for an image created at `build_time` (seconds since the epoch: the image config's
/// own created time, so a reproducible build stays reproducible). custom_labels override auto labels.
/// Throws a usage error naming custom_labels for an item that is not key=value.
Labels image_labels(const Settings& settings, const CiContext& ci, std::int64_t build_time);

/// `url` without its userinfo: https://user:token@host/x -> https://host/x. A label is public.
std::string without_userinfo(const std::string& url);

/// The image config document with `labels` merged into config.Labels, last (they win).
[[nodiscard]] oci::Json with_labels(const oci::Json& config, const Labels& labels);

}  // namespace kiln::plugin
