#include "server/api/labels.h"

#include <fmt/format.h>

#include "server/api/http_util.h"

namespace kiln::server {
namespace {

bool key_char(char c, bool first) {
  const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  return alnum || (!first && (c == '.' || c == '_' || c == '/' || c == '-'));
}

// The key is checked first and the value shown only as its size: it may be long.
void check_label(const std::string& key, const std::string& value, const std::string& where) {
  bool ok = !key.empty() && key.size() <= kMaxLabelKeyBytes;
  for (std::size_t i = 0; ok && i < key.size(); ++i) ok = key_char(key[i], i == 0);
  if (!ok)
    throw ApiError(400, fmt::format("{}: label key '{}' must be 1 to {} characters of A-Z a-z 0-9 . _ / -, starting with a "
                                    "letter or digit",
                                    where, key.substr(0, kMaxLabelKeyBytes + 1), kMaxLabelKeyBytes));
  if (value.size() > kMaxLabelValueBytes)
    throw ApiError(400, fmt::format("{}.{}: label value of {} bytes is longer than {}", where, key, value.size(), kMaxLabelValueBytes));
  for (unsigned char c : value)
    if (c < 0x20 || c == 0x7f) throw ApiError(400, fmt::format("{}.{}: label value holds a control character", where, key));
}

}  // namespace

Labels parse_labels(const oci::Json& value, const std::string& where) {
  if (value.is_null()) return {};
  if (!value.is_object()) throw ApiError(400, fmt::format("{}: expected an object of string labels", where));
  if (value.size() > kMaxLabels) throw ApiError(400, fmt::format("{}: {} labels, more than {}", where, value.size(), kMaxLabels));
  Labels labels;
  for (const auto& [key, text] : value.items()) {
    if (!text.is_string()) throw ApiError(400, fmt::format("{}.{}: expected a string", where, key));
    check_label(key, text.get<std::string>(), where);
    labels[key] = text.get<std::string>();
  }
  return labels;
}

Labels merge_labels(const Labels& outer, const Labels& inner, const std::string& where) {
  Labels merged = outer;
  for (const auto& [key, value] : inner) merged[key] = value;
  if (merged.size() > kMaxLabels)
    throw ApiError(400, fmt::format("{}: {} labels with the batch's, more than {}", where, merged.size(), kMaxLabels));
  return merged;
}

std::pair<std::string, std::string> parse_label_filter(const std::string& text) {
  const auto eq = text.find('=');
  if (eq == std::string::npos)
    throw ApiError(400, fmt::format("query parameter label: expected key=value, got '{}'", text.substr(0, 100)));
  std::string key = text.substr(0, eq), value = text.substr(eq + 1);
  check_label(key, value, "query parameter label");
  return {key, value};
}

}  // namespace kiln::server
