#pragma once
// Getting blobs into a target repository at the lowest cost: nothing when they are already
// there, a cross-repository mount inside one registry, a streamed copy between registries,
// an upload of a local file otherwise.
#include <filesystem>
#include <string>

#include "oci/image/manifest_edit.h"
#include "oci/json.h"
#include "oci/registry/client.h"

namespace kiln::oci {

/// Where the base image's blobs live.
struct BlobOrigin {
  RegistryClient& client;
  std::string repository;
};

/// Makes one blob of `origin` present in target/repository: nothing when it is there, a
/// mount inside one registry, else a streamed copy. True when bytes were copied.
bool copy_blob_if_missing(const BlobOrigin& origin, RegistryClient& target, const std::string& repository,
                          const Descriptor& blob);

/// Uploads a local blob file unless the repository already has it.
enum class Uploaded { yes, already_present };
Uploaded push_blob_file(RegistryClient& target, const std::string& repository, const std::filesystem::path& file,
                        const Digest& digest, std::int64_t size);

/// Uploads in-memory bytes (a config) unless present; returns their descriptor.
Descriptor push_blob_bytes(RegistryClient& target, const std::string& repository, const std::string& bytes,
                           const std::string& media_type);

}  // namespace kiln::oci
