#pragma once
// The structure-test spec loader over text in either format (spec_yaml_fuzz, spec_json_fuzz).
// A spec is the user's file: every problem must be a kiln::Error(usage) naming the file,
// never another exception (main() would report it as exit 3).
#include <cstdlib>
#include <string>

#include "core/error.h"
#include "verify/spec/load_spec.h"
#include "verify/spec/spec_node.h"

namespace kiln::fuzz {

template <typename Parse>
void load_spec_text(const std::string& text, const std::string& file, Parse parse) {
  try {
    const verify::SpecNode root = parse(text, file);
    verify::decode_spec(root, file, "fuzz");
  } catch (const Error& e) {
    if (e.exit_class() != ExitClass::usage) std::abort();
  }
}

}  // namespace kiln::fuzz
