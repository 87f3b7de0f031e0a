#pragma once
// From specs to the facts a driver must find out: each path once (with everything any test
// wants of it) and each command test's command. Tests skipped or filtered out by `platforms`
// ask nothing.
#include <vector>

#include "inspect/facts.h"
#include "oci/image/platform.h"
#include "oci/json.h"
#include "verify/spec/spec.h"

namespace kiln::verify {

/// `image_config` is the image's config blob (Env and WorkingDir are read from its "config").
/// Paths come in the order tests first name them; commands have ids from command_id() and are
/// never merged, even when two tests run the same argv: a command may change the container.
inspect::FactRequest fact_request(const std::vector<Spec>& specs, const oci::Json& image_config,
                                  const oci::Platform& platform);

}  // namespace kiln::verify
