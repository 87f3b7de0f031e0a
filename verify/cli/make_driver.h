#pragma once
// The one place kiln-verify chooses how it sees the image (`driver` setting); nothing after it
// asks which driver it is.
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/env.h"
#include "core/settings.h"
#include "verify/driver/driver.h"
#include "verify/spec/spec.h"

namespace kiln::verify {

/// The `driver` setting with CST's names mapped (docker: local, tar: static; host refused).
std::string driver_name(const Settings& settings);

/// `argv0` locates kiln-probe next to kiln-verify for the local driver. Throws
/// kiln::Error(usage) naming the setting at fault.
std::unique_ptr<Driver> make_driver(const Settings& settings, const Env& env, const std::string& argv0);

/// kiln-probe for the local driver: the `probe` setting, else next to the canonical
/// /proc/self/exe, else next to `argv0` when it is a path (the bundle's launcher passes its own
/// absolute path), else where `cmake --install` puts it (../libexec/kiln/kiln-probe from bin/),
/// else ../probe/kiln-probe (a build tree). Throws kiln::Error(usage) when none exists.
std::filesystem::path probe_path(const Settings& settings, const std::string& argv0);

/// The check pod the kubernetes driver would create for `image` (`print_pod`), as JSON text;
/// needs no cluster.
std::string pod_manifest_text(const Settings& settings, const ImageUnderTest& image, const std::vector<Spec>& specs);

}  // namespace kiln::verify
