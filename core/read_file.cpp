#include "core/read_file.h"

#include <fmt/format.h>

#include <fstream>

#include "core/error.h"

namespace kiln {

std::optional<std::string> read_file(const std::filesystem::path& path, std::size_t limit, std::string_view what) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(status)) return std::nullopt;
  if (!std::filesystem::is_regular_file(status))
    throw_usage(fmt::format("{} {} is not a regular file", what, path.string()));
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  // Read in pieces rather than by the reported size: /proc files report 0, and a file may grow
  // while it is read.
  std::string text;
  char buffer[64 * 1024];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    text.append(buffer, static_cast<std::size_t>(in.gcount()));
    if (text.size() > limit) throw_usage(fmt::format("{} {} is larger than {} bytes", what, path.string(), limit));
  }
  return text;
}

}  // namespace kiln
