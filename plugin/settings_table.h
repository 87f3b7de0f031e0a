#pragma once
// The parts of the settings table, one function per concern; setting_specs() concatenates
// them in this order, which is the order --help lists them.
#include <vector>

#include "plugin/settings.h"

namespace kiln::plugin {

std::vector<SettingSpec> build_setting_specs();     ///< what to build: context, args, target, base
std::vector<SettingSpec> registry_setting_specs();  ///< where to push, credentials, TLS, mirrors
std::vector<SettingSpec> tag_setting_specs();       ///< tags, .tags file, auto_tag
std::vector<SettingSpec> kaniko_setting_specs();    ///< executor passthrough: cache, snapshots, retries
std::vector<SettingSpec> output_setting_specs();    ///< digest, artifact and image-name files, logging
std::vector<SettingSpec> ignored_setting_specs();   ///< plugins/docker daemon settings: accepted, no effect
std::vector<SettingSpec> refused_setting_specs();   ///< known, but make_plan refuses them (exit 2)

/// Why each refused setting is refused, for make_plan's error and the docs.
inline constexpr const char* kNoSigning =
    "kiln does not sign images: remove the cosign settings and sign in a later step (cosign sign --key ... <image>@<digest>, the digest from digest_file)";

/// The ignored_reason of the Docker-daemon settings of plugins/docker and docker-buildx.
inline constexpr const char* kNoDaemon = "kiln runs no Docker daemon";

}  // namespace kiln::plugin
