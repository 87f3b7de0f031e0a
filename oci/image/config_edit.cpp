#include "oci/image/config_edit.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <chrono>

#include "core/error.h"

namespace kiln::oci {
namespace {

bool history_is_consistent(const Json& config, std::size_t layer_count) {
  auto history = config.find("history");
  if (history == config.end() || !history->is_array() || history->empty()) return false;
  std::size_t non_empty = 0;
  for (const Json& entry : *history)
    if (!entry.is_object() || !entry.value("empty_layer", false)) ++non_empty;
  return non_empty == layer_count;
}

}  // namespace

std::string rfc3339_utc(std::int64_t unix_seconds) {
  const auto tp = std::chrono::sys_seconds(std::chrono::seconds(unix_seconds));
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}Z", tp);
}

Json with_layer(const Json& config, const Digest& diff_id, const HistoryEntry& history, std::int64_t created) {
  Json out = config;
  Json& rootfs = out["rootfs"];
  if (!rootfs.is_object()) rootfs = Json::object();
  if (!rootfs.contains("type")) rootfs["type"] = "layers";
  Json& diff_ids = rootfs["diff_ids"];
  if (!diff_ids.is_array()) diff_ids = Json::array();
  const std::size_t base_layers = diff_ids.size();
  diff_ids.push_back(diff_id.to_string());

  const std::string when = rfc3339_utc(created);
  if (history_is_consistent(config, base_layers) || base_layers == 0) {
    Json entry = Json::object();
    entry["created"] = when;
    entry["created_by"] = history.created_by;
    if (!history.comment.empty()) entry["comment"] = history.comment;
    if (!out["history"].is_array()) out["history"] = Json::array();
    out["history"].push_back(std::move(entry));
  }
  out["created"] = when;
  return out;
}

Json with_entrypoint(const Json& config, const std::string& working_dir, const std::vector<std::string>& entrypoint) {
  Json out = config;
  Json& cfg = out["config"];
  if (!cfg.is_object()) cfg = Json::object();
  cfg["WorkingDir"] = working_dir;
  cfg["Entrypoint"] = entrypoint;
  cfg.erase("Cmd");
  return out;
}

}  // namespace kiln::oci
