#pragma once
// The card plugins/docker leaves in $DRONE_CARD_PATH: Drone's runner posts that file to the
// server, which renders it with the template its "schema" names. plugins/docker fills it with
// `docker inspect` of its local image; kiln has no local image, so it reads the pushed one back
// from the registry and fills the same fields, and Drone shows kiln's card with the template it
// already has. Sizes are the compressed layer sizes (docker's are the unpacked ones).
#include <chrono>
#include <memory>
#include <string>

#include "oci/image/remote_image.h"
#include "plugin/backend/backend.h"

namespace kiln::oci { class Keychain; }

namespace kiln::plugin {

struct BuildPlan;

inline constexpr const char* kDroneCardSchema = "https://drone-plugins.github.io/drone-docker/card.json";

/// The card, one JSON line: {"schema": kDroneCardSchema, "data": {docker inspect fields}}.
/// `image` is the pushed image (for an index, its first runnable manifest); `tagged` is when
/// the tags were pushed (docker's Metadata.LastTagTime).
std::string drone_card_json(const BuildResult& result, const oci::ResolvedImage& image,
                            std::chrono::system_clock::time_point tagged);

/// What goes to `path`: the JSON itself, or for /dev/stdout and /dev/stderr the terminal escape
/// sequence (ESC]1338;<base64>ESC]0m) that Drone's runner reads cards from in a step's log.
std::string drone_card_output(const std::string& path, const std::string& card_json);

/// "12.50MB": github.com/inhies/go-bytesize's String(), which plugins/docker's card uses.
std::string go_bytesize(std::int64_t bytes);

/// Reads the pushed image back and writes its card to `path`. A card is a courtesy, as in
/// plugins/docker: a failure is logged as a warning and the build still succeeds.
void write_drone_card(const std::string& path, const BuildResult& result, const BuildPlan& plan,
                      std::shared_ptr<const oci::Keychain> keychain);

}  // namespace kiln::plugin
