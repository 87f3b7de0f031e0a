#include "bench/cli/floor_contender.h"

namespace kiln::bench {

Sample FloorContender::run(const RunSlot& slot) {
  const oci::Compression kind = slot.compression == "zstd"   ? oci::Compression::zstd
                                : slot.compression == "none" ? oci::Compression::none
                                                             : oci::Compression::gzip;
  return floor_sample(files_, {.kind = kind, .level = level_});
}

}  // namespace kiln::bench
