#pragma once
// The tests' base images are fixtures/busybox_image.h (kiln-bench's workload uses the same);
// the tests keep naming them kiln::testing::push_busybox_base.
#include "fixtures/busybox_image.h"

namespace kiln::testing {
using fixtures::BusyboxBase;
using fixtures::ImageFormat;
using fixtures::push_busybox_base;

/// What a fault proxy in front of the registry matches to break the pulls of base/busybox (the
/// repository the tests push their base to): its blobs and its manifests.
inline constexpr const char* kBaseBlobs = "/v2/base/busybox/blobs/sha256:[0-9a-f]+";
inline constexpr const char* kBaseManifests = "/v2/base/busybox/manifests/.+";
}  // namespace kiln::testing
