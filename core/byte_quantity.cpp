#include "core/byte_quantity.h"

#include <array>
#include <utility>

namespace kiln {
namespace {

constexpr std::array<std::pair<std::string_view, std::uint64_t>, 12> kSuffixes = {{
    {"Ki", 1ull << 10}, {"Mi", 1ull << 20}, {"Gi", 1ull << 30}, {"Ti", 1ull << 40}, {"Pi", 1ull << 50},
    {"Ei", 1ull << 60}, {"k", 1'000ull}, {"M", 1'000'000ull}, {"G", 1'000'000'000ull},
    {"T", 1'000'000'000'000ull}, {"P", 1'000'000'000'000'000ull}, {"E", 1'000'000'000'000'000'000ull},
}};

}  // namespace

std::optional<std::uint64_t> parse_byte_quantity(std::string_view text) {
  std::size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  if (digits == 0) return std::nullopt;
  std::uint64_t number = 0;
  for (std::size_t i = 0; i < digits; ++i) {
    const auto digit = static_cast<std::uint64_t>(text[i] - '0');
    if (number > (UINT64_MAX - digit) / 10) return std::nullopt;
    number = number * 10 + digit;
  }
  const std::string_view suffix = text.substr(digits);
  if (suffix.empty()) return number;
  for (const auto& [name, factor] : kSuffixes)
    if (suffix == name) {
      if (number > UINT64_MAX / factor) return std::nullopt;
      return number * factor;
    }
  return std::nullopt;
}

std::string format_byte_quantity(std::uint64_t bytes) {
  for (std::size_t i = 6; i-- > 0;) {
    const auto& [name, factor] = kSuffixes[i];
    if (bytes != 0 && bytes % factor == 0) return std::to_string(bytes / factor) + std::string(name);
  }
  return std::to_string(bytes);
}

}  // namespace kiln
