#pragma once
// kiln-plugin's own checks of a build's settings — what it refuses before any network traffic:
// a missing base_image or repo, a malformed reference, tag or platform, a binary that is not
// there, compression out of range — applied when a client submits the build, so the client gets
// a 400 naming the setting instead of a build accepted now that fails later.
#include "server/store/build_record.h"

namespace kiln::server {

/// Runs kiln-plugin's plan checks on spec.settings as kiln-plugin would see them running in
/// spec.context_dir (relative file settings are taken from there). Throws kiln::Error(usage)
/// with kiln-plugin's message, which names the setting ("setting base_image: is required …").
void check_plugin_rules(const BuildSpec& spec);

}  // namespace kiln::server
