#pragma once
// buildah (`buildah bud` then `buildah push`), the daemonless builder most CI runners can
// install, on the same build: the binary template kiln-plugin gives Kaniko for binary-on-base
// settings, or the Dockerfile itself. Each run starts as on a fresh CI runner: private vfs
// storage in a new directory (the base is pulled) and an empty blob-info cache (nothing
// pushed before is reused), with `--isolation chroot` (no daemon, no user namespaces).
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "bench/cli/contender.h"

namespace kiln::bench {

struct BuildahBuild {
  std::filesystem::path dockerfile;
  std::filesystem::path context;
  std::vector<std::string> build_args;  ///< NAME=value
  std::string target_stage;
  std::string tag = "latest";
  int compression_level = 1;
  std::string authfile;                            ///< empty: buildah's default
  std::map<std::string, std::string> environment;  ///< the whole child environment
  std::filesystem::path work_dir;                  ///< storage and logs, one sub-directory per run
  std::chrono::seconds timeout{900};
  /// Sizes by digest ("sha256:...") of the blobs the pushed image at `reference` names.
  std::function<std::map<std::string, std::int64_t>(const std::string& reference)> blob_sizes;
};

class BuildahContender final : public Contender {
 public:
  explicit BuildahContender(BuildahBuild build) : build_(std::move(build)) {}
  Sample run(const RunSlot& slot) override;

 private:
  BuildahBuild build_;
};

/// The digests ("sha256:<hex>") of the blobs `buildah --log-level debug push` uploaded: the
/// PUT that closes an upload session names it (`?...&digest=sha256%3A<hex>`); blobs it found
/// present or mounted from another repository have no such PUT.
std::vector<std::string> blobs_uploaded_in_push_log(const std::string& log);

/// Where buildah (containers/image, as root) keeps its blob-info cache; each run gets an
/// empty one bound over it, or later runs would reuse the first run's compressed layers.
inline constexpr const char* kBuildahBlobInfoCacheDir = "/var/lib/containers/cache";

/// Whether buildah is on PATH.
bool buildah_installed();

}  // namespace kiln::bench
