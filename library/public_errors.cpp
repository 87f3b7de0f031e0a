#include "library/public_errors.h"

#include <fmt/format.h>

#include "core/error.h"
#include "core/log.h"
#include "core/stop.h"
#include "kiln/errors.h"
#include "oci/registry/error.h"

namespace kiln::library {

void rethrow_as_public() {
  try {
    throw;
  } catch (const kiln::Exception&) {
    throw;
  } catch (const StopRequested& e) {
    throw Cancelled(log::redact(e.what()));
  } catch (const oci::RegistryError& e) {
    throw kiln::RegistryError(log::redact(e.what()), e.status(), e.codes());
  } catch (const Error& e) {
    if (e.exit_class() == ExitClass::usage) throw UsageError(log::redact(e.what()));
    throw Failure(log::redact(e.what()));
  } catch (const std::exception& e) {
    throw Failure(log::redact(e.what()));
  } catch (...) {
    throw Failure("unknown error");
  }
}

void bad_field(const std::string& request, const std::string& field, const std::string& why) {
  throw UsageError(fmt::format("{}.{}: {}", request, field, why));
}

}  // namespace kiln::library
