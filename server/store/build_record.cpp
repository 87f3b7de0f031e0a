#include "server/store/build_record.h"

#include <chrono>

#include "core/error.h"

namespace kiln::server {

std::string to_string(BuildState state) {
  switch (state) {
    case BuildState::queued: return "queued";
    case BuildState::running: return "running";
    case BuildState::succeeded: return "succeeded";
    case BuildState::failed: return "failed";
    case BuildState::cancelled: return "cancelled";
  }
  return "failed";
}

BuildState parse_build_state(const std::string& text) {
  for (BuildState s : {BuildState::queued, BuildState::running, BuildState::succeeded, BuildState::failed, BuildState::cancelled})
    if (to_string(s) == text) return s;
  throw_infra("unknown build state '" + text + "' in the database");
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace kiln::server
