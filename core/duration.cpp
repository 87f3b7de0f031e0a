#include "core/duration.h"

#include <cctype>
#include <charconv>
#include <string>
#include <system_error>

namespace kiln {

std::optional<std::chrono::nanoseconds> parse_go_duration(std::string_view text) {
  static const std::pair<std::string_view, double> units[] = {{"ns", 1}, {"us", 1e3}, {"ms", 1e6},
                                                              {"s", 1e9}, {"m", 60e9}, {"h", 3600e9}};
  if (text.empty()) return std::nullopt;
  double total = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t start = i;
    while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) ++i;
    if (start == i) return std::nullopt;
    double number = 0;
    const char* first = text.data() + start;
    const char* last = text.data() + i;
    if (auto [end, ec] = std::from_chars(first, last, number); ec != std::errc() || end != last) return std::nullopt;
    const std::size_t unit_start = i;
    while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i]))) ++i;
    const std::string_view unit = text.substr(unit_start, i - unit_start);
    bool known = false;
    for (const auto& [name, factor] : units)
      if (unit == name) total += number * factor, known = true;
    if (!known) return std::nullopt;
  }
  return std::chrono::nanoseconds(static_cast<std::int64_t>(total));
}

std::string format_go_duration(std::chrono::seconds duration) {
  const auto s = duration.count();
  if (s != 0 && s % 3600 == 0) return std::to_string(s / 3600) + "h";
  if (s != 0 && s % 60 == 0) return std::to_string(s / 60) + "m";
  return std::to_string(s) + "s";
}

}  // namespace kiln
