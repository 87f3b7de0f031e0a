#include "core/numeric_id.h"

#include <algorithm>
#include <cctype>

namespace kiln {
namespace {

bool all_digits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); });
}

}  // namespace

ParsedId parse_numeric_id(std::string_view text) {
  if (text.starts_with('-') && all_digits(text.substr(1))) return {.kind = ParsedId::Kind::out_of_range};
  if (!all_digits(text)) return {.kind = ParsedId::Kind::name};
  // Digit by digit, stopping as soon as the value passes the range: any length is safe.
  std::uint64_t value = 0;
  for (const char c : text) {
    value = value * 10 + static_cast<std::uint64_t>(c - '0');
    if (value > kMaxNumericId) return {.kind = ParsedId::Kind::out_of_range};
  }
  return {.kind = ParsedId::Kind::number, .value = static_cast<std::uint32_t>(value)};
}

}  // namespace kiln
