#pragma once
// Turns the JSON a client submits into BuildSpecs, checking every setting name against
// kiln-plugin's and kiln-verify's own tables (aliases resolve to the canonical name) and
// splitting secret settings off. Matrix batches expand here.
#include <chrono>
#include <filesystem>
#include <vector>

#include "oci/json.h"
#include "server/policy/context_location.h"
#include "server/store/build_record.h"

namespace kiln::server {

struct SubmissionPaths {
  ContextLocations contexts;  ///< where a build's context may be: uploads, context_roots
  std::chrono::seconds max_timeout{3600};  ///< build_timeout: no build's "timeout" may be longer
};

/// One build: {"settings": {...}, "context": "/dir" | "ctx-…", "verify": {...}, "timeout": "10m",
/// "labels": {...}}. Throws ApiError(400) naming the field or setting at fault.
BuildSpec parse_build(const oci::Json& body, const SubmissionPaths& paths);

struct BatchSubmission {
  std::vector<BuildSpec> builds;
  Labels labels;  ///< the batch's own; each build carries them too
};

/// {"builds": [build, …]} or {"matrix": {"services": [{"name", "settings", "context"}…],
/// "platforms": […], "tags": […]}, "settings": {…common}, "context": …, "verify": {…},
/// "labels": {…}}. A matrix makes one build per service; its platforms and tags go into that
/// build (api/matrix_build.h).
BatchSubmission parse_batch(const oci::Json& body, const SubmissionPaths& paths);

/// The API view of a build: secret settings are left out entirely.
oci::Json build_json(const BuildRecord& record);

}  // namespace kiln::server
