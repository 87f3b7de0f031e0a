#pragma once
// Copying a finished image (manifest or index, with everything it names) from where it was
// stored to another sink: the other destinations of a build, a dry run's layout, a push_only
// source. Blobs go first, index children next, tags last, as content addressing requires.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "oci/image/blob_transfer.h"
#include "oci/image/image_sink.h"

namespace kiln::oci {

/// A manifest (or index) as stored: exact bytes, so digests stay exact.
struct StoredManifest {
  std::string media_type;
  std::string bytes;
};

/// An image ready to be tagged: what the tags point at, and for an index its children.
struct StoredImage {
  StoredManifest top;
  std::vector<StoredManifest> children;
};

/// Where an image's blobs are: a registry repository, or an OCI layout directory.
struct ImageSource {
  std::optional<BlobOrigin> registry;
  std::filesystem::path layout;  ///< used when `registry` is empty
};

/// Makes every blob of `image` present in `target` and stores the children by digest; tags
/// nothing. Returns the number of blobs copied byte by byte.
int copy_image_blobs(const ImageSource& source, const StoredImage& image, ImageSink& target);

/// Reads the image `ref_name` (empty: the only one) of an OCI layout with its children.
StoredImage read_layout_stored_image(const std::filesystem::path& layout, const std::string& ref_name);

}  // namespace kiln::oci
