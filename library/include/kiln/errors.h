#pragma once
/// @file
/// @brief The errors kiln's functions throw: one type per kind of fault.
#include <stdexcept>
#include <string>
#include <vector>

#include "kiln/export.h"

namespace kiln {

/// What kind of fault an Exception reports; kiln's programs turn the same faults into the exit
/// codes given here.
enum class ErrorKind {
  usage,      ///< the request is at fault (a field, a file, a Dockerfile line), named in the message (exit 2)
  registry,   ///< a registry refused or failed, after the retries the request allows (exit 3)
  failure,    ///< anything else around the work failed: a file system, runc, the machine (exit 3)
  cancelled,  ///< the request's CancellationToken was cancelled
};

/// The base of every error kiln's functions throw. Messages name the field, file, line or
/// registry at fault, and never hold a credential.
class KILN_API Exception : public std::runtime_error {
 public:
  /// An error of `kind` with `message`.
  Exception(ErrorKind kind, const std::string& message);
  ~Exception() override;
  /// The kind of fault.
  ErrorKind kind() const noexcept { return kind_; }

 private:
  ErrorKind kind_;
};

/// The request is at fault: a field that is missing or malformed, a file that cannot be read, a
/// Dockerfile line, a base image without the wanted platform. Repeating it will not help.
class KILN_API UsageError final : public Exception {
 public:
  /// A usage error with `message`.
  explicit UsageError(const std::string& message);
  ~UsageError() override;
};

/// A registry refused the request or could not be reached, after the retries the request
/// allows. The message names the registry and the operation.
class KILN_API RegistryError final : public Exception {
 public:
  /// A registry error with `message`, the HTTP `status` and the registry's error `codes`.
  RegistryError(const std::string& message, int status, std::vector<std::string> codes);
  ~RegistryError() override;
  /// The HTTP status of the answer that failed; 0 when no answer came (refused connection,
  /// TLS failure, timeout).
  int status() const noexcept { return status_; }
  /// The distribution error codes the registry gave ("DENIED", "MANIFEST_UNKNOWN", ...).
  const std::vector<std::string>& codes() const noexcept { return codes_; }

 private:
  int status_;
  std::vector<std::string> codes_;
};

/// Something around the work failed: the file system, the container runtime, the machine.
class KILN_API Failure final : public Exception {
 public:
  /// A failure with `message`.
  explicit Failure(const std::string& message);
  ~Failure() override;
};

/// The work stopped because its CancellationToken was cancelled (or its progress callback
/// threw). Nothing was tagged: a cancelled build moves no tag.
class KILN_API Cancelled final : public Exception {
 public:
  /// A cancellation with `message` (where the work stopped).
  explicit Cancelled(const std::string& message);
  ~Cancelled() override;
};

}  // namespace kiln
