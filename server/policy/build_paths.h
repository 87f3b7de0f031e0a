#pragma once
// The checks behind the setting classification (setting_policy.h), applied to what a client
// submits and again just before the build runs: refused settings, docker config documents that
// would run a credential helper, and files read from outside the build's context.
#include <string>

#include "server/policy/setting_policy.h"
#include "server/store/build_record.h"

namespace kiln::server {

/// Refuses a setting the client may not give, or a value it may not have. `where` names it for
/// the message ("settings.executor"). Throws kiln::Error(usage) "<where>: refused: it …".
void check_setting(Program program, const std::string& name, const std::string& value, const std::string& where);

/// Every file the settings make kiln-plugin and kiln-verify read — and the files they read when
/// a setting is unset (Dockerfile, .tags, .dockerignore) — must lie inside spec.context_dir once
/// ".." and symlinks are resolved. Throws kiln::Error(usage) naming the first setting that does
/// not ("<prefix>settings.dockerfile: '/etc/shadow' is outside the build context").
void check_paths_inside_context(const BuildSpec& spec, const std::string& prefix = "");

}  // namespace kiln::server
