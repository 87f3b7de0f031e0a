#pragma once
// The tests' registry is fixtures/local_registry.h (kiln-bench embeds the same one); the tests
// keep naming it kiln::testing::LocalRegistry.
#include "fixtures/local_registry.h"

namespace kiln::testing {
using fixtures::free_port;
using fixtures::LocalRegistry;
using fixtures::RegistryMode;
using fixtures::TokenAuth;
}  // namespace kiln::testing
