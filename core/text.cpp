#include "core/text.h"

namespace kiln {

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(ascii_whitespace);
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(ascii_whitespace) - first + 1);
}

std::vector<std::string> split(std::string_view text, char separator) {
  std::vector<std::string> out;
  while (true) {
    const auto end = text.find(separator);
    out.emplace_back(text.substr(0, end));
    if (end == std::string_view::npos) return out;
    text.remove_prefix(end + 1);
  }
}

std::vector<std::string> split_trimmed(std::string_view text, std::string_view separators) {
  std::vector<std::string> out;
  while (true) {
    const auto end = text.find_first_of(separators);
    if (const auto piece = trim(text.substr(0, end)); !piece.empty()) out.emplace_back(piece);
    if (end == std::string_view::npos) return out;
    text.remove_prefix(end + 1);
  }
}

std::string ending(std::string_view text, std::size_t max) {
  if (text.size() <= max) return std::string(text);
  std::size_t start = text.size() - max;
  while (start < text.size() && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80) ++start;
  return "…" + std::string(text.substr(start));
}

}  // namespace kiln
