#pragma once
// The `local` driver: unpacks the image into a temporary root filesystem (rootfs_unpack.h)
// and runs kiln-probe inside it with runc (runc_bundle.h: read-only, no network, no
// capabilities, the image's user in a user namespace, Docker's seccomp profile, memory and
// process limits; probe_sandbox.h), so command tests really run. The probe's one JSON line on
// stdout is the answer.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "verify/driver/driver.h"
#include "verify/driver/local/probe_sandbox.h"
#include "verify/driver/local/rootfs_unpack.h"

namespace kiln::verify {

/// File data the local driver writes to disk at most, all layers together: far below the
/// static driver's 16 GiB, which are only read.
inline constexpr std::uint64_t kUnpackMaxBytes = 2ull << 30;
/// The probe's container, commands included: the kubernetes driver's check pod limit too.
inline constexpr std::uint64_t kProbeMemoryBytes = 512ull << 20;
inline constexpr std::int64_t kProbePids = 1024;

struct LocalDriverOptions {
  std::string runc = "runc";
  /// Added to the sum of the command timeouts for the whole run (unpacking excluded).
  std::chrono::milliseconds margin{std::chrono::seconds(30)};
  /// Replaces the computed whole-run timeout (tests).
  std::optional<std::chrono::milliseconds> run_timeout;
  UnpackLimits limits{.max_bytes = kUnpackMaxBytes};
  ProbeLimits probe{.memory_bytes = kProbeMemoryBytes, .pids = kProbePids};
  /// What the machine supports; nullopt: detected (sandbox_support()). Tests take parts away.
  std::optional<SandboxSupport> support;
};

class LocalDriver : public Driver {
 public:
  /// `probe`: the static kiln-probe binary (kiln-verify looks next to its own executable).
  explicit LocalDriver(std::filesystem::path probe, LocalDriverOptions options = {});
  std::string name() const override { return "local"; }
  /// Images of another architecture than this machine's cannot run here.
  std::optional<std::string> cannot_verify(const oci::Platform& platform) const override;
  using Driver::collect;
  /// Every option of `container` in the runc bundle (apply_container_options, bind mounts).
  /// Throws kiln::Error(infra) when the image cannot be unpacked, its user is unknown, runc
  /// fails, the run outlives its timeout (the container is killed) or the probe's answer is
  /// not valid; kiln::Error(usage) when a bind mount's host path does not exist.
  inspect::Facts collect(const ImageUnderTest& image, const inspect::FactRequest& request,
                         const CommandContainer& container) override;

 private:
  std::filesystem::path probe_;
  LocalDriverOptions options_;
};

}  // namespace kiln::verify
