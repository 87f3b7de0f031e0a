#include "core/error.h"

namespace kiln {

void throw_usage(const std::string& what) { throw Error(ExitClass::usage, what); }
void throw_infra(const std::string& what) { throw Error(ExitClass::infra, what); }

}  // namespace kiln
