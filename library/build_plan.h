#pragma once
// A BuildRequest as the plan kiln-plugin's native backend builds: the same plan kiln-plugin makes
// from its settings for the same inputs, so the same image comes out.
#include "kiln/build.h"
#include "plugin/plan.h"

namespace kiln::library {

/// Checks every field that can be checked without a registry; a UsageError names the field.
plugin::BuildPlan plan_for(const BuildRequest& request);

}  // namespace kiln::library
