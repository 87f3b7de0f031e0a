#pragma once
// The one place where kiln's internal errors become the library's public ones: nothing internal
// (kiln::Error, Poco, nlohmann or libarchive exceptions) leaves libkiln.
#include <string>

namespace kiln::library {

/// Rethrows the exception being handled as a kiln::Exception: a usage error as UsageError, a
/// registry's as RegistryError, a stop as Cancelled, anything else as Failure. Messages are
/// redacted. Call it only inside a catch block.
[[noreturn]] void rethrow_as_public();

/// Throws UsageError "<request>.<field>: <why>".
[[noreturn]] void bad_field(const std::string& request, const std::string& field, const std::string& why);

}  // namespace kiln::library
