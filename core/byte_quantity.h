#pragma once
// Byte counts written as Kubernetes quantities ("512Mi", "2Gi", "1G", "1048576"): the form a
// check pod's memory limit takes, used for every byte-sized setting so one spelling works for
// every driver.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kiln {

/// A whole number with an optional suffix: Ki Mi Gi Ti Pi Ei (powers of 1024) or k M G T P E
/// (powers of 1000); nullopt when malformed or past 2^64 - 1.
std::optional<std::uint64_t> parse_byte_quantity(std::string_view text);
/// The shortest exact form with a binary suffix ("512Mi"), else the plain number.
std::string format_byte_quantity(std::uint64_t bytes);

}  // namespace kiln
