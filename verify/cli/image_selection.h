#pragma once
// Which image kiln-verify checks, and where its blobs come from: a reference (possibly pinned by
// the digest kiln-plugin wrote), or an OCI layout; one ImageUnderTest per selected platform.
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/env.h"
#include "core/settings.h"
#include "core/temp_dir.h"
#include "oci/registry/client.h"
#include "verify/driver/driver.h"

namespace kiln::verify {

/// The image the settings name, as text: `image`, pinned to `digest_file`'s digest, or the
/// first line of `image_file`, or IMAGE_REF of `dotenv_file`. Throws kiln::Error(usage) naming
/// the setting or file at fault; empty when the image comes from `oci_layout` alone.
std::string image_reference_text(const Settings& settings);

struct ImageSelection {
  std::string reference;  ///< as named (for reports)
  std::string digest;     ///< of what the reference names: the index or the single manifest
  std::unique_ptr<oci::RegistryClient> client;  ///< kept alive for the blob readers
  std::shared_ptr<TempDir> unpacked;  ///< the layout an image file was turned into, kept for the blob readers
  std::vector<ImageUnderTest> images;          ///< one per platform, in the index's order
};

/// Resolves the image and its platforms (`platform` setting: a list; default every runnable
/// one). `image` may name a docker-archive or OCI archive file instead of a reference; an
/// `image_from_oci_layout` layout is read as CST reads it (one single-platform image, named by
/// its ref name annotation or default_image_tag). Registry failures throw kiln::Error(infra)
/// naming the registry.
ImageSelection select_images(const Settings& settings, const Env& env);

/// What select_images() does once the settings are read, for callers without settings (kiln's
/// library). The image `reference` (named as `text`) through `client`, which must be for its
/// registry, for the `wanted` platforms (empty: every runnable one).
ImageSelection select_registry_images(const oci::Reference& reference, const std::string& text,
                                      std::unique_ptr<oci::RegistryClient> client,
                                      const std::vector<oci::Platform>& wanted);
/// The images of the OCI layout `directory`: the entry tagged with `reference`'s tag (empty
/// `reference`: every entry), for the `wanted` platforms.
ImageSelection select_layout_images(const std::filesystem::path& directory, const std::string& reference,
                                    const std::vector<oci::Platform>& wanted);

}  // namespace kiln::verify
