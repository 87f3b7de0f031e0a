#pragma once
// The tests' base images are fixtures/busybox_image.h (kiln-bench's workload uses the same);
// the tests keep naming them kiln::testing::push_busybox_base.
#include "fixtures/busybox_image.h"

namespace kiln::testing {
using fixtures::BusyboxBase;
using fixtures::ImageFormat;
using fixtures::push_busybox_base;
}  // namespace kiln::testing
