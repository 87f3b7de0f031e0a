#include "kiln/version.h"

namespace kiln {

const char* version() noexcept { return KILN_LIBRARY_VERSION; }

}  // namespace kiln
