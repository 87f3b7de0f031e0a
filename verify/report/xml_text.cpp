#include "verify/report/xml_text.h"

#include <algorithm>
#include <cstdint>

namespace kiln::verify {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";

// Length of the well-formed UTF-8 sequence at `s[i]` and its code point; 0 when ill-formed
// (overlong forms, surrogates and values above U+10FFFF included).
std::size_t decode(std::string_view s, std::size_t i, std::uint32_t& code) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char lead = byte(i);
  std::size_t length = 0;
  if (lead < 0x80) {
    code = lead;
    return 1;
  }
  if (lead >= 0xC2 && lead <= 0xDF) length = 2, code = lead & 0x1F;
  else if (lead >= 0xE0 && lead <= 0xEF) length = 3, code = lead & 0x0F;
  else if (lead >= 0xF0 && lead <= 0xF4) length = 4, code = lead & 0x07;
  else return 0;
  if (i + length > s.size()) return 0;
  for (std::size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    code = (code << 6) | (byte(i + k) & 0x3F);
  }
  if ((length == 3 && code < 0x800) || (length == 4 && (code < 0x10000 || code > 0x10FFFF))) return 0;
  if (code >= 0xD800 && code <= 0xDFFF) return 0;
  return length;
}

bool allowed_in_xml(std::uint32_t code) {
  if (code < 0x20) return code == 0x9 || code == 0xA || code == 0xD;
  return code != 0xFFFE && code != 0xFFFF;
}

}  // namespace

std::string xml_text(std::string_view bytes, std::size_t max_bytes) {
  std::string out;
  out.reserve(std::min(bytes.size(), max_bytes));
  std::size_t i = 0;
  while (i < bytes.size()) {
    std::uint32_t code = 0;
    const std::size_t length = decode(bytes, i, code);
    const std::string_view piece = length == 0 ? kReplacement : bytes.substr(i, length);
    const bool keep = length == 0 || allowed_in_xml(code);
    if (keep && out.size() + piece.size() > max_bytes) break;
    if (keep) out += piece;
    i += length == 0 ? 1 : length;
  }
  if (i < bytes.size()) {
    out += "\n[kiln: truncated, " + std::to_string(i) + " of " + std::to_string(bytes.size()) + " bytes shown]";
  }
  return out;
}

}  // namespace kiln::verify
