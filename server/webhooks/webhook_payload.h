#pragma once
// The JSON a webhook delivers: the event, the delivery id and the subject's final state. Never
// a setting's value (secret or not): a receiver that needs more asks the API by id.
#include <cstdint>
#include <string>
#include <vector>

#include "oci/json.h"
#include "server/store/build_record.h"

namespace kiln::server {

/// {"event": "build.finished", "delivery_id", "build": {id, batch_id, state, message, digest, …}}
oci::Json build_event(const std::string& delivery_id, const BuildRecord& build);
/// {"event": "batch.finished", "delivery_id", "batch": {id, state, counts, builds: [...]}}; the
/// batch's state is failed if a build failed, else cancelled if one was cancelled, else succeeded.
oci::Json batch_event(const std::string& delivery_id, const std::string& batch_id, const std::vector<BuildRecord>& builds);

/// One attempt's body: the stored event with the attempt's "timestamp" (unix seconds, signed
/// with the rest, so a receiver can refuse replays) and "attempt" (1, 2, …).
std::string attempt_body(const std::string& event_json, std::int64_t timestamp, int attempt);

}  // namespace kiln::server
