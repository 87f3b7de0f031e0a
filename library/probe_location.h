#pragma once
// Where the local driver's kiln-probe is when the program does not say: installed with libkiln.
#include <filesystem>

namespace kiln::library {

/// kiln-probe where `cmake --install` puts it, seen from the libkiln file actually loaded
/// (../libexec/kiln/kiln-probe from lib/), else ../probe/kiln-probe (a build tree). Throws
/// UsageError naming VerifyRequest.probe when neither exists.
std::filesystem::path installed_probe();

}  // namespace kiln::library
