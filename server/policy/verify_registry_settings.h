#pragma once
// The verify step reads the image the build pushed, from the same registry: it needs the same
// way in (plain HTTP, CA bundle, timeout) and the same credentials. kiln-plugin's settings for
// them are carried over to kiln-verify's (its names differ for some) where the client set none
// of kiln-verify's own, and only when the verify step checks the build's image (no `image`).
#include "server/store/build_record.h"

namespace kiln::server {

/// Adds to spec.verify_settings / spec.verify_secret_settings: insecure (from insecure, or the
/// target registry in insecure_registry), registry_certificate (the path, or the target's
/// host=path entry), registry_timeout, registry/username/password (access_token as
/// oauth2accesstoken), and docker_config_json (from config, with logins added as auths).
void inherit_registry_settings(BuildSpec& spec);

}  // namespace kiln::server
