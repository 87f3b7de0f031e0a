#pragma once
/// @file
/// @brief Building and pushing an image in-process: a binary on a base image, or a RUN-less
/// Dockerfile.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "kiln/cancellation.h"
#include "kiln/export.h"
#include "kiln/registry.h"

namespace kiln {

/// One step of a running build, as the progress callback hears of it.
struct ProgressEvent {
  /// What happened.
  enum class Kind {
    base_resolved,     ///< the base image was read: `subject` names it, `digest` is its manifest's
    layer_progress,    ///< a new layer is being written: `bytes` of its `total` source bytes are read
    layer_stored,      ///< a new layer is in place: `subject` is its platform, `digest` and `bytes`
                       ///< (compressed) are the layer's, `uploaded` says whether bytes were sent
    reference_pushed,  ///< `subject`, a tagged reference, now names the image `digest`
  };
  /// What happened.
  Kind kind = Kind::base_resolved;
  /// A reference or a platform ("linux/amd64"), as `kind` says.
  std::string subject;
  /// A digest ("sha256:..."), as `kind` says.
  std::string digest;
  /// A byte count, as `kind` says.
  std::int64_t bytes = 0;
  /// layer_progress: the source bytes of the layer being written.
  std::int64_t total = 0;
  /// layer_stored: false when the registry had the layer already (nothing was sent).
  bool uploaded = false;
};

/// Called on the building thread, in order. An exception it throws cancels the build.
using ProgressCallback = std::function<void(const ProgressEvent& event)>;

/// How new layers are compressed.
enum class Compression {
  gzip,  ///< Docker and OCI manifests; what every client reads
  zstd,  ///< OCI manifests; smaller and faster, read by recent clients
  none,  ///< uncompressed tar
};

/// What to build and where to push it. Give either `binary` (with `base`): the binary goes on
/// the base image at `app_path`, which becomes the entrypoint (what kiln-plugin's `binary`
/// setting does); or `dockerfile`: a Dockerfile without RUN, built in-process as Kaniko would
/// build it. Relative paths are relative to the working directory.
struct BuildRequest {
  /// The base image of a binary build: "debian:bookworm-slim", "registry.example.com/base@sha256:...".
  std::string base;
  /// The application binary of a binary build (an ELF file for the base image's platform).
  std::filesystem::path binary;
  /// Where the binary goes in the image; it becomes the ENTRYPOINT.
  std::string app_path = "/usr/local/app/main";
  /// The image's WORKDIR in a binary build.
  std::string working_dir = "/usr/local/app";

  /// The Dockerfile of a Dockerfile build; it must have no RUN instruction.
  std::filesystem::path dockerfile;
  /// The build context of a Dockerfile build (its .dockerignore applies); empty: the Dockerfile's
  /// directory.
  std::filesystem::path context;
  /// ARG values of a Dockerfile build.
  std::map<std::string, std::string> build_args;
  /// The stage of a Dockerfile build to build; empty: the last one.
  std::string target_stage;

  /// Every reference to push, each with its tag ("registry.example.com/team/app:1.0"); the
  /// image is stored once and each tag moves last.
  std::vector<std::string> targets;
  /// The platform to build for ("linux/arm64"); empty: the binary's ELF machine, or
  /// linux/amd64 for a Dockerfile.
  std::string platform;
  /// Labels put on the image config, over the base's and the Dockerfile's.
  std::map<std::string, std::string> labels;
  /// Also label the image org.opencontainers.image.created with `source_date_epoch`, as
  /// kiln-plugin's `auto_label` does.
  bool created_label = true;
  /// The time stamped on the image and its files, in seconds since 1970 (SOURCE_DATE_EPOCH):
  /// the same inputs give the same digest.
  std::int64_t source_date_epoch = 0;
  /// How new layers are compressed.
  Compression compression = Compression::gzip;
  /// 1-9 for gzip, 1-19 for zstd.
  int compression_level = 1;
  /// Where kiln remembers the layers it built, so an unchanged rebuild costs a hash and a HEAD;
  /// empty: nothing is remembered.
  std::filesystem::path layer_cache_dir;

  /// Credentials, transport and deadlines.
  RegistryOptions registry;
  /// Hears of each step; may be empty.
  ProgressCallback progress;
  /// Cancels the build from outside.
  CancellationToken cancellation;
};

/// What was pushed.
struct BuildResult {
  /// The digest of the pushed manifest (or index): "sha256:...".
  std::string digest;
  /// Its media type.
  std::string media_type;
  /// Every reference that now names it, in the order of BuildRequest::targets.
  std::vector<std::string> references;
  /// New layers sent to the registry (0 when an unchanged rebuild found them there).
  int layers_uploaded = 0;
  /// Their compressed bytes.
  std::int64_t bytes_uploaded = 0;
};

/// Builds the image and pushes it to every target, in-process (no daemon, no executor, no
/// privileges). The image is the one kiln-plugin's native backend builds from the same inputs,
/// byte for byte. Throws UsageError, RegistryError, Failure or Cancelled.
KILN_API BuildResult build_image(const BuildRequest& request);

}  // namespace kiln
