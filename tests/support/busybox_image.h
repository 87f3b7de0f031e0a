#pragma once
// Base images for tests and the demo, made with kiln's own code: busybox-static at
// /bin/busybox with the usual applet links, pushed as a Docker or OCI manifest, or as an
// index with two platforms.
#include <filesystem>
#include <string>

#include "oci/digest.h"
#include "oci/registry/client.h"

namespace kiln::testing {

enum class ImageFormat { docker, oci };

struct BusyboxBase {
  std::string repository;
  std::string tag;
  ImageFormat format = ImageFormat::docker;
  /// With an index: linux/amd64 and linux/arm64 children (the arm64 one carries the same
  /// amd64 busybox bytes: it is never run, only pushed and selected).
  bool multi_platform = false;
  /// When set, a second layer holds this file at /opt/payload (to give the base a real size).
  std::string payload_file;
};

/// Pushes the base and returns the digest of what the tag names (manifest or index).
oci::Digest push_busybox_base(oci::RegistryClient& client, const BusyboxBase& base);

}  // namespace kiln::testing
