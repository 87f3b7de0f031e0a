#pragma once
// One range of a user namespace's uid and gid maps (the same range for both): container ids
// [container_id, container_id + size) are host ids [host_id, host_id + size).
#include <cstdint>
#include <optional>

namespace kiln::verify {

struct IdMapping {
  std::uint32_t container_id = 0;
  std::uint32_t host_id = 0;
  std::uint32_t size = 0;

  /// The host id of container id `id`; nullopt when the range does not map it.
  std::optional<std::uint32_t> to_host(std::uint64_t id) const {
    if (id < container_id || id - container_id >= size) return std::nullopt;
    return static_cast<std::uint32_t>(host_id + (id - container_id));
  }
  friend bool operator==(const IdMapping&, const IdMapping&) = default;
};

}  // namespace kiln::verify
