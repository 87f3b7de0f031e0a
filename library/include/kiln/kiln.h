#pragma once
/// @file
/// @brief kiln as a library: everything in one include.
///
/// @mainpage kiln's C++ API
///
/// libkiln builds container images in-process, with no daemon, no executor and no privileges,
/// and verifies them: build_image() puts a binary on a base image (or builds a Dockerfile without
/// RUN) and pushes it; verify_image() checks an image with the built-in application suite or
/// container-structure-test specs and returns structured results. Errors are the classes of
/// kiln/errors.h; a CancellationToken stops either from outside.
///
/// @code
/// #include <kiln/kiln.h>
///
/// kiln::BuildRequest request;
/// request.base = "debian:bookworm-slim";
/// request.binary = "build/app";
/// request.targets = {"registry.example.com/team/app:1.0"};
/// request.registry.credentials = {{"registry.example.com", "ci", password}};
/// const kiln::BuildResult result = kiln::build_image(request);  // result.digest: "sha256:..."
/// @endcode
///
/// With CMake: `find_package(kiln)` and `target_link_libraries(app PRIVATE kiln::kiln)`.

/// @namespace kiln
/// @brief kiln's public API: build_image(), verify_image(), what they take and what they return.

#include "kiln/build.h"
#include "kiln/cancellation.h"
#include "kiln/errors.h"
#include "kiln/log.h"
#include "kiln/registry.h"
#include "kiln/verify.h"
#include "kiln/version.h"
