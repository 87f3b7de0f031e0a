#pragma once
// The one place that chooses how a plan is built: the native backend for a binary on a base
// image or a RUN-less Dockerfile, the Kaniko executor for anything else (with `backend: auto`,
// the log says which and why). Nothing after this asks which backend ran.
#include <memory>

#include "core/env.h"
#include "oci/credentials/credential.h"
#include "plugin/backend/backend.h"
#include "plugin/build_control.h"
#include "plugin/ci_context.h"
#include "plugin/plan.h"
#include "plugin/settings.h"

namespace kiln::plugin {

BuildResult run_build(const Settings& settings, const BuildPlan& plan, const Env& env, const CiContext& ci);

/// The native backend's build of `plan` (a binary on its base, or a RUN-less Dockerfile), as
/// run_build() makes it, with a stop and progress events: what kiln's library runs. A Dockerfile
/// that only the Kaniko executor can build is a usage error saying why.
BuildResult build_natively(const BuildPlan& plan, std::shared_ptr<const oci::Keychain> keychain,
                           const BuildControl& control);

/// The plan as the Kaniko executor builds it: the executor stamps the build time as the image's
/// created time (the native backend stamps SOURCE_DATE_EPOCH, or 0), so without
/// SOURCE_DATE_EPOCH the org.opencontainers.image.created label is moved to now. Used by the
/// kaniko backend and by kiln-server's Kaniko pods.
[[nodiscard]] BuildPlan with_executor_created(const BuildPlan& plan, const Env& env);

/// The Dockerfile the project started from, for `binary` builds that go through Kaniko.
std::string binary_template(const BuildPlan& plan, const std::string& binary_in_context);

}  // namespace kiln::plugin
