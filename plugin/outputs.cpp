#include "plugin/outputs.h"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>

#include "core/error.h"

namespace kiln::plugin {

void write_digest_file(const std::string& path, const BuildResult& result) {
  const std::filesystem::path target(path);
  const std::filesystem::path partial = target.string() + ".partial";
  {
    std::ofstream out(partial, std::ios::binary | std::ios::trunc);
    out << result.digest.to_string();
    out.close();
    if (!out) throw_infra(fmt::format("setting digest_file: cannot write {}", partial.string()));
  }
  std::error_code ec;
  std::filesystem::rename(partial, target, ec);
  if (ec) throw_infra(fmt::format("setting digest_file: cannot write {}: {}", path, ec.message()));
}

}  // namespace kiln::plugin
