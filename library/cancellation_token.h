#pragma once
// The stop_token behind a public CancellationToken, for the internal layers (core/stop.h).
#include <stop_token>

#include "kiln/cancellation.h"

namespace kiln::library {

std::stop_token stop_token_of(const CancellationToken& token);

}  // namespace kiln::library
