#pragma once
// A request's RegistryOptions as the internal layers take them: a keychain (the credentials,
// over the docker config named), and per-client options.
#include <memory>
#include <stop_token>
#include <string>

#include "kiln/registry.h"
#include "oci/credentials/credential.h"
#include "oci/registry/client.h"
#include "plugin/plan.h"

namespace kiln::library {

/// `request` ("BuildRequest") names the request in usage errors about `options`.
std::shared_ptr<const oci::Keychain> keychain_for(const RegistryOptions& options, const std::string& request);

/// Checks the options (retries, timeout, CA file), naming the field at fault.
plugin::RegistryAccess access_for(const RegistryOptions& options, const std::string& request);

/// The client options of one registry, stopping at `stop`.
oci::RegistryOptions client_options(const RegistryOptions& options, const std::string& request,
                                    std::stop_token stop);

}  // namespace kiln::library
