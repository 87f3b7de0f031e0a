// The public error classes. Their destructors are defined here so that their type information
// lives in libkiln, and a program catches exactly these types.
#include "kiln/errors.h"

namespace kiln {

Exception::Exception(ErrorKind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
Exception::~Exception() = default;

UsageError::UsageError(const std::string& message) : Exception(ErrorKind::usage, message) {}
UsageError::~UsageError() = default;

RegistryError::RegistryError(const std::string& message, int status, std::vector<std::string> codes)
    : Exception(ErrorKind::registry, message), status_(status), codes_(std::move(codes)) {}
RegistryError::~RegistryError() = default;

Failure::Failure(const std::string& message) : Exception(ErrorKind::failure, message) {}
Failure::~Failure() = default;

Cancelled::Cancelled(const std::string& message) : Exception(ErrorKind::cancelled, message) {}
Cancelled::~Cancelled() = default;

}  // namespace kiln
