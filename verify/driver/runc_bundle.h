#pragma once
// The OCI runtime config (config.json) the local driver gives runc: `runc spec`'s defaults,
// tightened for running an untrusted image's binaries. Read-only root, kiln-probe and the
// request bind-mounted read-only under /.kiln, the image's user, no capabilities at all,
// noNewPrivileges, a private network namespace with nothing but lo, /tmp a tmpfs, /proc,
// a minimal /dev, no /sys.
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "verify/driver/image_user.h"

namespace kiln::verify {

inline constexpr const char* kProbeInContainer = "/.kiln/kiln-probe";
inline constexpr const char* kRequestInContainer = "/.kiln/request.json";

struct BundleSpec {
  std::filesystem::path probe;    ///< host path of the static kiln-probe
  std::filesystem::path request;  ///< host path of the request JSON
  ProcessUser user;
  std::vector<std::string> env;   ///< the image config's Env
  std::string rootfs = "rootfs";  ///< relative to the bundle
};

/// config.json for `runc run`; the process is `kiln-probe check --request <request>`.
nlohmann::json runc_config(const BundleSpec& spec);

}  // namespace kiln::verify
