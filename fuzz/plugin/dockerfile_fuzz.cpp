// Dockerfile text → instructions, then what a build does with them: ENV/LABEL pairs and
// variable expansion. Anything a user can write must end in a parse or a kiln::Error
// ("<file>:<line>: ..."); any other exception would reach main() as exit 3, the wrong class.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "core/error.h"
#include "plugin/dockerfile/dockerfile.h"

namespace {

void use(const kiln::plugin::Dockerfile& file, const kiln::plugin::Instruction& in,
         std::map<std::string, std::string>& vars) {
  try {
    if (in.keyword == "ENV" || in.keyword == "LABEL" || in.keyword == "ARG") {
      for (const auto& pair : kiln::plugin::key_values(in, file.file_name)) vars[pair.key] = pair.value;
    }
    if (!in.json_form) kiln::plugin::expand_words(in.args, vars, file.escape, file.file_name, in.line);
  } catch (const kiln::Error&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const kiln::plugin::Dockerfile file = kiln::plugin::parse_dockerfile(text, "Dockerfile");
    std::map<std::string, std::string> vars;
    for (const auto& arg : file.global_args) use(file, arg, vars);
    for (const auto& stage : file.stages)
      for (const auto& in : stage.instructions) use(file, in, vars);
  } catch (const kiln::Error&) {
  }
  try {
    kiln::plugin::DockerIgnore::parse(text).excluded("src/main.cpp");
  } catch (const kiln::Error&) {
  }
  return 0;
}
