#include "plugin/labels.h"

#include "oci/image/config_edit.h"

#include <fmt/format.h>

#include <ctime>

#include "core/error.h"

namespace kiln::plugin {

std::string without_userinfo(const std::string& url) {
  const auto scheme = url.find("://");
  const std::size_t host_start = scheme == std::string::npos ? 0 : scheme + 3;
  const std::size_t host_end = std::min(url.find_first_of("/?#", host_start), url.size());
  const auto at = url.rfind('@', host_end == url.size() ? std::string::npos : host_end);
  if (at == std::string::npos || at < host_start || at >= host_end) return url;
  return url.substr(0, host_start) + url.substr(at + 1);
}


Labels image_labels(const Settings& settings, const CiContext& ci, std::int64_t build_time) {
  Labels labels;
  if (settings.get_bool("auto_label")) {
    // As plugins/docker's auto_label: created, revision, source, url, the OCI annotation keys
    // (https://github.com/opencontainers/image-spec/blob/main/annotations.md).
    labels["org.opencontainers.image.created"] = oci::rfc3339_utc(build_time);
    if (!ci.sha.empty()) labels["org.opencontainers.image.revision"] = ci.sha;
    if (const std::string url = without_userinfo(ci.repo_url); !url.empty()) {
      labels["org.opencontainers.image.source"] = url;
      labels["org.opencontainers.image.url"] = url;
    }
  }
  for (const std::string& item : settings.get_list("custom_labels")) {
    const auto eq = item.find('=');
    if (eq == std::string::npos || eq == 0)
      throw_usage(fmt::format("setting custom_labels: '{}' is not in the form key=value", item));
    labels[item.substr(0, eq)] = item.substr(eq + 1);
  }
  return labels;
}

oci::Json with_labels(const oci::Json& config, const Labels& labels) {
  oci::Json out = config;
  if (labels.empty()) return out;
  oci::Json& inner = out["config"];
  if (!inner.is_object()) inner = oci::Json::object();
  oci::Json& target = inner["Labels"];
  if (!target.is_object()) target = oci::Json::object();
  for (const auto& [key, value] : labels) target[key] = value;
  return out;
}

}  // namespace kiln::plugin
