#pragma once
// Standard base64 (RFC 4648 section 4) on one line: what HTTP Basic credentials, docker config
// `auth` fields and Drone cards carry. Poco's encoder wraps at 72 characters unless told not to,
// which is why each caller used to carry its own copy of this.
#include <string>
#include <string_view>

namespace kiln {

/// `bytes` encoded with padding and without line breaks.
std::string base64(std::string_view bytes);

}  // namespace kiln
