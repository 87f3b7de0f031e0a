#pragma once
// How kiln-verify sees the image under test. A driver is chosen once, in verify/main, from the
// `driver` setting; the checks and reports never ask which one it is.
#include <memory>
#include <optional>
#include <string>

#include "inspect/facts.h"
#include "oci/image/blob_reader.h"
#include "oci/image/remote_image.h"
#include "oci/json.h"
#include "verify/driver/command_container.h"

namespace kiln::verify {

/// The one image (one platform) being verified, already resolved to a digest.
struct ImageUnderTest {
  std::string reference;     ///< as the user named it, for reports
  std::string pinned;        ///< "registry/repo@sha256:…" of this platform's manifest
  oci::ResolvedImage image;  ///< manifest, config, platform
  std::shared_ptr<oci::BlobReader> blobs;  ///< where its layers are read from
};

class Driver {
 public:
  virtual ~Driver() = default;
  /// "static", "local", "kubernetes".
  virtual std::string name() const = 0;
  /// Why this driver cannot see images of `platform` at all (the local driver runs images on
  /// this machine, so only its architecture); nullopt when it can.
  virtual std::optional<std::string> cannot_verify(const oci::Platform& platform) const { return std::nullopt; }
  /// Why this driver cannot run commands in `container` (an option it cannot honour, named with
  /// the driver); nullopt when it can. Asked before anything runs, so a refusal is a usage error.
  virtual std::optional<std::string> cannot_run(const CommandContainer& container) const { return std::nullopt; }
  /// Answers the request for `image`, its commands run in `container`. Throws
  /// kiln::Error(infra) when the image, runtime or cluster cannot be used at all; per-path or
  /// per-command problems go into the Facts.
  virtual inspect::Facts collect(const ImageUnderTest& image, const inspect::FactRequest& request,
                                 const CommandContainer& container) = 0;
  /// The same in the driver's default container.
  inspect::Facts collect(const ImageUnderTest& image, const inspect::FactRequest& request) {
    return collect(image, request, CommandContainer{});
  }
};

}  // namespace kiln::verify
