#pragma once
// A user or group id written as text (COPY --chown=, an image's /etc/passwd and /etc/group):
// one parser with one range for the whole code base, so no caller truncates 4294967296 to
// root or throws std::out_of_range on twenty digits.
#include <cstdint>
#include <string_view>

namespace kiln {

/// The largest id there is: 2^32 - 1 is the "no id" value of chown(2) (-1), not an id.
inline constexpr std::uint32_t kMaxNumericId = 4294967294U;

struct ParsedId {
  enum class Kind {
    number,        ///< decimal digits within 0..kMaxNumericId: `value`
    name,          ///< anything else that is not a number: a name to look up
    out_of_range,  ///< a number no id can be: too large, or negative ("-1")
  };
  Kind kind = Kind::name;
  std::uint32_t value = 0;
  friend bool operator==(const ParsedId&, const ParsedId&) = default;
};

/// Classifies `text`. Leading zeros are allowed ("007" is 7), as Go's strconv and chown(1) do.
ParsedId parse_numeric_id(std::string_view text);

}  // namespace kiln
