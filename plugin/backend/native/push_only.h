#pragma once
// push_only (drone-kaniko's crane push, Kaniko's `executor push`): an image built earlier, as a
// docker-archive or an OCI layout, pushed to every destination without building anything.
#include <memory>

#include "oci/credentials/credential.h"
#include "plugin/backend/backend.h"

namespace kiln::plugin {

struct BuildPlan;

/// Pushes plan.push_only_source (a directory: OCI layout; a file: docker-archive), or copies
/// plan.push_only_image, to plan.destinations: blobs first, then the manifest under every tag.
BuildResult push_existing_image(const BuildPlan& plan, std::shared_ptr<const oci::Keychain> keychain);

}  // namespace kiln::plugin
