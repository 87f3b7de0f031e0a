#include "verify/spec/file_mode.h"

#include <array>
#include <cstdio>

#include <re2/re2.h>

namespace kiln::verify {

using Type = inspect::FileStat::Type;

std::string go_file_mode(Type type, std::uint32_t mode) {
  std::string out;
  // Go's letter order: d a l T L D p S u g c t ?; kiln never sees a, l, T or ?.
  if (type == Type::directory) out += 'd';
  if (type == Type::symlink) out += 'L';
  if (type == Type::char_device || type == Type::block_device) out += 'D';
  if (type == Type::fifo) out += 'p';
  if (type == Type::socket) out += 'S';
  if (mode & 04000) out += 'u';
  if (mode & 02000) out += 'g';
  if (type == Type::char_device) out += 'c';
  if (mode & 01000) out += 't';
  if (out.empty()) out += '-';
  static constexpr std::string_view rwx = "rwxrwxrwx";
  for (int bit = 0; bit < 9; ++bit) out += (mode & (0400u >> bit)) ? rwx[bit] : '-';
  return out;
}

bool is_go_file_mode(std::string_view text) {
  // The empty prefix alternative is excluded by the length: nine rwx characters need a prefix.
  static const RE2 pattern("(?:-|d?L?D?p?S?u?g?c?t?)[r-][w-][x-][r-][w-][x-][r-][w-][x-]");
  return text.size() >= 10 && RE2::FullMatch(text, pattern);
}

namespace {
constexpr std::array<std::pair<Type, std::string_view>, 8> kTypeNames{{
    {Type::file, "file"},
    {Type::directory, "directory"},
    {Type::symlink, "symlink"},
    {Type::hardlink, "hardlink"},
    {Type::char_device, "chardevice"},
    {Type::block_device, "blockdevice"},
    {Type::fifo, "fifo"},
    {Type::socket, "socket"},
}};
}  // namespace

std::string_view file_type_name(Type type) {
  for (const auto& [candidate, name] : kTypeNames) {
    if (candidate == type) return name;
  }
  return "unknown";
}

std::optional<Type> parse_file_type(std::string_view name) {
  for (const auto& [type, candidate] : kTypeNames) {
    if (candidate == name) return type;
  }
  return std::nullopt;
}

std::string octal_mode(std::uint32_t mode) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%04o", mode & 07777u);
  return buffer;
}

std::optional<std::uint32_t> parse_octal_mode(std::string_view text) {
  if (text.size() < 3 || text.size() > 5) return std::nullopt;
  std::uint32_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '7') return std::nullopt;
    value = value * 8 + static_cast<std::uint32_t>(c - '0');
  }
  if (value > 07777) return std::nullopt;
  return value;
}

}  // namespace kiln::verify
