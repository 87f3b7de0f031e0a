#include "oci/image/config_edit.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <algorithm>
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
  return with_layers(config, {diff_id}, {HistoryStep{.entry = history, .empty_layer = false}}, created);
}

Json with_layers(const Json& config, const std::vector<Digest>& diff_ids, const std::vector<HistoryStep>& history,
                 std::int64_t created) {
  Json out = config;
  Json& rootfs = out["rootfs"];
  if (!rootfs.is_object()) rootfs = Json::object();
  if (!rootfs.contains("type")) rootfs["type"] = "layers";
  Json& ids = rootfs["diff_ids"];
  if (!ids.is_array()) ids = Json::array();
  const std::size_t base_layers = ids.size();
  for (const Digest& d : diff_ids) ids.push_back(d.to_string());

  const std::string when = rfc3339_utc(created);
  const auto new_layers = std::count_if(history.begin(), history.end(), [](const auto& h) { return !h.empty_layer; });
  const bool history_matches = static_cast<std::size_t>(new_layers) == diff_ids.size();
  if (history_matches && (history_is_consistent(config, base_layers) || base_layers == 0)) {
    if (!out["history"].is_array()) out["history"] = Json::array();
    for (const HistoryStep& step : history) {
      Json entry = Json::object();
      entry["created"] = when;
      entry["created_by"] = step.entry.created_by;
      if (!step.entry.comment.empty()) entry["comment"] = step.entry.comment;
      if (step.empty_layer) entry["empty_layer"] = true;
      out["history"].push_back(std::move(entry));
    }
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
