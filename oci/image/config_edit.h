#pragma once
// Edits of an image config JSON. Each takes the base document and returns a new one; fields
// kiln does not model (container_config, os.features, ...) are carried over untouched.
#include <cstdint>
#include <string>
#include <vector>

#include "oci/digest.h"
#include "oci/json.h"

namespace kiln::oci {

struct HistoryEntry {
  std::string created_by;
  std::string comment;
};

/// One history line: an instruction, with or without a layer of its own.
struct HistoryStep {
  HistoryEntry entry;
  bool empty_layer = false;
};

/// RFC 3339 UTC text of a Unix time ("1970-01-01T00:00:00Z").
std::string rfc3339_utc(std::int64_t unix_seconds);

/// Appends a layer: its diff_id goes to rootfs.diff_ids; a history entry is added only when
/// the base history is consistent (one non-empty_layer entry per layer), because a mismatch
/// makes buildah/podman refuse the image. `created` also becomes the image's creation time.
[[nodiscard]] Json with_layer(const Json& config, const Digest& diff_id, const HistoryEntry& history,
                              std::int64_t created);
/// The same for several layers and a history of several steps (as many non-empty steps as
/// layers, or the history is dropped the same way).
[[nodiscard]] Json with_layers(const Json& config, const std::vector<Digest>& diff_ids,
                               const std::vector<HistoryStep>& history, std::int64_t created);

/// The application settings of the binary-on-base image: WorkingDir and Entrypoint set,
/// inherited Cmd cleared (an ENTRYPOINT resets CMD in Dockerfile semantics).
[[nodiscard]] Json with_entrypoint(const Json& config, const std::string& working_dir,
                                   const std::vector<std::string>& entrypoint);

}  // namespace kiln::oci
