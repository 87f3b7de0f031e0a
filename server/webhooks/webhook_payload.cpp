#include "server/webhooks/webhook_payload.h"

#include <algorithm>
#include <map>

namespace kiln::server {
namespace {

using oci::Json;

Json build_fields(const BuildRecord& b) {
  Json j = {{"id", b.id},
            {"state", to_string(b.state)},
            {"message", b.message},
            {"digest", b.digest},
            {"exit_code", b.exit_code},
            {"attempts", b.attempts},
            {"created_ms", b.created_ms},
            {"started_ms", b.started_ms},
            {"finished_ms", b.finished_ms}};
  if (!b.batch_id.empty()) j["batch_id"] = b.batch_id;
  return j;
}

std::string batch_state(const std::vector<BuildRecord>& builds) {
  const auto any = [&](BuildState s) { return std::any_of(builds.begin(), builds.end(), [&](const BuildRecord& b) { return b.state == s; }); };
  if (any(BuildState::failed)) return "failed";
  if (any(BuildState::cancelled)) return "cancelled";
  return "succeeded";
}

}  // namespace

Json build_event(const std::string& delivery_id, const BuildRecord& build) {
  return {{"event", "build.finished"}, {"delivery_id", delivery_id}, {"build", build_fields(build)}};
}

Json batch_event(const std::string& delivery_id, const std::string& batch_id, const std::vector<BuildRecord>& builds) {
  Json list = Json::array();
  std::map<std::string, int> counts;
  std::int64_t created = 0, finished = 0;
  for (const auto& b : builds) {
    list.push_back(build_fields(b));
    ++counts[to_string(b.state)];
    created = created == 0 ? b.created_ms : std::min(created, b.created_ms);
    finished = std::max(finished, b.finished_ms);
  }
  return {{"event", "batch.finished"},
          {"delivery_id", delivery_id},
          {"batch",
           {{"id", batch_id}, {"state", batch_state(builds)}, {"counts", counts}, {"created_ms", created},
            {"finished_ms", finished}, {"builds", list}}}};
}

std::string attempt_body(const std::string& event_json, std::int64_t timestamp, int attempt) {
  Json body = Json::parse(event_json);
  body["timestamp"] = timestamp;
  body["attempt"] = attempt;
  return body.dump();
}

}  // namespace kiln::server
