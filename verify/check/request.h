#pragma once
// From specs to the facts a driver must find out: each path once (with everything any test
// wants of it) and each command test's command. Tests skipped or filtered out by `platforms`
// ask nothing.
#include <vector>

#include "inspect/facts.h"
#include "oci/image/platform.h"
#include "oci/json.h"
#include "verify/driver/command_container.h"
#include "verify/spec/spec.h"

namespace kiln::verify {

/// One container's worth of facts: what runs in it and how it differs from the driver's default.
struct FactRun {
  CommandContainer container;
  inspect::FactRequest request;
};

/// `image_config` is the image's config blob (Env and WorkingDir are read from its "config").
/// The first run is the driver's default container: every path, and the commands of specs
/// without containerRunOptions. Then one run per spec with containerRunOptions (its commands
/// without setup), and one per command test with setup or teardown (setup, the command,
/// teardown, in a fresh writable copy of the image with the spec's options). Paths come in the
/// order tests first name them; commands have ids from command_id() and are never merged, even
/// when two tests run the same argv: a command may change the container.
std::vector<FactRun> fact_runs(const std::vector<Spec>& specs, const oci::Json& image_config,
                               const oci::Platform& platform);

/// The first of fact_runs(): what the driver's default container answers.
inspect::FactRequest fact_request(const std::vector<Spec>& specs, const oci::Json& image_config,
                                  const oci::Platform& platform);

/// What licenseTests with `debian: true` need once /usr/share/doc has been listed (`facts` of the
/// first run): every package's copyright file not asked for yet. Empty when there is none.
inspect::FactRequest license_follow_up(const std::vector<Spec>& specs, const inspect::Facts& facts);

/// The container a spec's containerRunOptions ask for (BindMounts parsed, capability names
/// made CAP_…); default when it has none.
CommandContainer spec_container(const Spec& spec);

}  // namespace kiln::verify
